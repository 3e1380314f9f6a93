#!/usr/bin/env python3
"""tux3img.py: read, locate in, check and corrupt tux3 images; see tux3img/ and README.md.

    tux3img.py show|locate|check|tree IMAGE ...
    tux3img.py CHANGE IMAGE ...          (sb-set, inode-set, dirent-set, bitmap-set, ...)
    tux3img.py selftest BUILD_DIR
    tux3img.py --help | tux3img.py COMMAND --help
"""
import os
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from tux3img.cli import main  # noqa: E402  (the package beside this file)

if __name__ == "__main__":
    sys.exit(main())
