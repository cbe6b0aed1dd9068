"""`python -m bot`: the same as `readouts bot`."""
import sys

from index import main

sys.exit(main(["bot", *sys.argv[1:]]))
