"""Developer tools run from a source checkout (python tools/NAME.py); tests import some of them."""
