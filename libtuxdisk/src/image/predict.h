// predict.h: the dump's reversible block filter. Fields of a metadata block that a reader
// can compute from the rest of the block are stored as their XOR with that prediction, so
// a sound block stores zeros there and compresses better; unfiltering gives back exactly
// the bytes that were filtered, whatever they were (a damaged block too).
//
//   every block beginning with a tux3 block magic (outside the reserved area):
//     location (bytes 8..15)  XOR the block's own number
//     checksum (bytes 4..7)   XOR the CRC32C of the block with that field as zero
//   a directory leaf (T3DL) whose slot table and values lie where the format puts them:
//     each slot's key          XOR the hash of its entry's name (values.h, name_hash)
// The magic, the lengths and the values are never changed, so both directions see the
// same block kind and the same names; the checksum is predicted over the block with every
// other field restored. The directory keys are most of what a metadata dump cannot
// compress otherwise: 7 bytes of hash per entry.
#pragma once

#include <cstdint>
#include <span>

namespace tux3::image {

// REQUIRES: block.size() is the volume's block size. first_data_block: blocks below it
// (the reserved area) are left as they are.
void predict_encode(std::span<uint8_t> block, uint64_t block_number, uint64_t first_data_block,
                    uint64_t hash_seed);
void predict_decode(std::span<uint8_t> block, uint64_t block_number, uint64_t first_data_block,
                    uint64_t hash_seed);

}  // namespace tux3::image
