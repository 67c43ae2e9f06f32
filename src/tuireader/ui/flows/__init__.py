"""The flows of the main screen, one mixin each (see `base.py`)."""
