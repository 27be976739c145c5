"""The key-resource core, free of any Pulumi SDK: what a backend declares, and the lifecycle run over it.

``backend`` says what a backend is; ``declaration`` how a resource is declared; ``lifecycle`` runs
check, diff, create, read, update and delete over plain values; ``client_base`` is what every API
client shares. The Pulumi faces (``pulumi_apikeys.dynamic``) only convert to and from these.
"""
