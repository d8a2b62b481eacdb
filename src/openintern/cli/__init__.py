"""The ``openintern`` command line. One module per noun; heavy imports inside commands."""
