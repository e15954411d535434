#pragma once
/// SHA-256 (FIPS 180-4) for artifact hashes and stage fingerprints in the run
/// ledger. Written here rather than taken from OpenSSL: the workflow layer must not
/// pull a crypto library for a checksum, and the digest must match `sha256sum`.

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "orrery/core/errors.hpp"

namespace orrery::workflow {

class Sha256 {
public:
    Sha256() noexcept { reset(); }

    void update(std::string_view data) noexcept { update(data.data(), data.size()); }

    void update(const void* data, std::size_t size) noexcept {
        const auto* p = static_cast<const unsigned char*>(data);
        length_ += size;
        if (used_ > 0) {  // top up a partial block first
            const std::size_t take = std::min(size, block_.size() - used_);
            std::memcpy(block_.data() + used_, p, take);
            used_ += take;
            p += take;
            size -= take;
            if (used_ < block_.size()) return;
            compress(block_.data());
            used_ = 0;
        }
        for (; size >= block_.size(); p += block_.size(), size -= block_.size()) compress(p);
        if (size > 0) std::memcpy(block_.data(), p, size);
        used_ = size;
    }

    /// The digest as 64 lowercase hex digits; the object starts over afterwards.
    [[nodiscard]] std::string hex_digest() {
        const std::uint64_t bits = length_ * 8;
        // Padding: a 1 bit, zeros up to 56 mod 64 bytes, then the length in bits, big-endian.
        unsigned char pad[72] = {0x80};
        const std::size_t pad_len = (used_ < 56 ? 56 - used_ : 120 - used_);
        for (int i = 0; i < 8; ++i) pad[pad_len + static_cast<std::size_t>(i)] = static_cast<unsigned char>(bits >> (56 - 8 * i));
        update(pad, pad_len + 8);
        static constexpr char digits[] = "0123456789abcdef";
        std::string out;
        out.reserve(64);
        for (const std::uint32_t word : state_)
            for (int shift = 28; shift >= 0; shift -= 4) out.push_back(digits[(word >> shift) & 0xF]);
        reset();
        return out;
    }

private:
    void reset() noexcept {
        state_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
        length_ = 0;
        used_ = 0;
    }

    static constexpr std::uint32_t rotr(std::uint32_t x, int n) noexcept { return (x >> n) | (x << (32 - n)); }

    void compress(const unsigned char* block) noexcept {
        static constexpr std::array<std::uint32_t, 64> k = {
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
        std::array<std::uint32_t, 64> w{};
        for (std::size_t t = 0; t < 16; ++t)
            w[t] = (std::uint32_t{block[4 * t]} << 24) | (std::uint32_t{block[4 * t + 1]} << 16) |
                   (std::uint32_t{block[4 * t + 2]} << 8) | std::uint32_t{block[4 * t + 3]};
        for (std::size_t t = 16; t < 64; ++t) {
            const std::uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
            const std::uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }
        std::uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
        std::uint32_t e = state_[4], f = state_[5], g = state_[6], h = state_[7];
        for (std::size_t t = 0; t < 64; ++t) {
            const std::uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[t] + w[t];
            const std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        state_[0] += a;
        state_[1] += b;
        state_[2] += c;
        state_[3] += d;
        state_[4] += e;
        state_[5] += f;
        state_[6] += g;
        state_[7] += h;
    }

    std::array<std::uint32_t, 8> state_{};
    std::array<unsigned char, 64> block_{};
    std::uint64_t length_ = 0;  // bytes hashed so far
    std::size_t used_ = 0;      // bytes waiting in block_
};

inline std::string sha256_hex(std::string_view data) {
    Sha256 h;
    h.update(data);
    return h.hex_digest();
}

/// Feeds the file's bytes into `h` in 1 MiB blocks (artifacts can be large FITS files).
inline void sha256_update_file(Sha256& h, const std::filesystem::path& path) {
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file) throw InputError("cannot read " + path.string() + " to hash it: " + std::strerror(errno));
    std::vector<char> buffer(std::size_t{1} << 20);
    for (;;) {
        const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), file.get());
        h.update(buffer.data(), n);
        if (n < buffer.size()) {
            if (std::ferror(file.get())) throw InputError("error reading " + path.string() + " to hash it");
            break;
        }
    }
}

inline std::string sha256_file(const std::filesystem::path& path) {
    Sha256 h;
    sha256_update_file(h, path);
    return h.hex_digest();
}

}  // namespace orrery::workflow
