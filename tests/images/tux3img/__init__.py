"""tux3img: an independent reader and precise corrupter of tux3 images (stdlib only).

Written from man/tux3-format.5. Modules: hashes (CRC32C, XXH64), fmt (codecs of every
structure), volume (reading the committed state), check (an independent consistency
check), corrupt (changes that reseal), cli (the command line), selftest.
"""
