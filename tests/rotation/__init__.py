"""Rotation: of one key (``test_key_*``, ``key_helpers``) and of the rotating pair (``test_pair_*``,
``pair_helpers``), by rule with the clock moved and through whole lifecycles in real time."""
