// SHA-256 against the FIPS 180-4 / NIST example vectors and against the real
// `sha256sum` program on a file larger than one read block.

#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "orrery/workflow/sha256.hpp"
#include "../support/run_program.hpp"
#include "../support/temp_dir.hpp"

using orrery::workflow::Sha256;
using orrery::workflow::sha256_file;
using orrery::workflow::sha256_hex;

TEST_CASE("sha256 matches the NIST example vectors", "[workflow][sha256]") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu") ==
          "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    SECTION("one million 'a', fed in uneven pieces") {
        Sha256 h;
        const std::string piece(997, 'a');
        std::size_t left = 1'000'000;
        while (left > 0) {
            const std::size_t n = std::min(left, piece.size());
            h.update(piece.data(), n);
            left -= n;
        }
        CHECK(h.hex_digest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }
}

TEST_CASE("sha256 pads correctly around the 55/56/64-byte block boundaries", "[workflow][sha256]") {
    // Byte-at-a-time and all-at-once must agree for every length across two blocks.
    for (std::size_t len = 0; len <= 130; ++len) {
        const std::string msg(len, static_cast<char>('A' + len % 26));
        Sha256 h;
        for (char c : msg) h.update(&c, 1);
        INFO("length " << len);
        CHECK(h.hex_digest() == sha256_hex(msg));
    }
    CHECK(sha256_hex(std::string(55, 'a')) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    CHECK(sha256_hex(std::string(56, 'a')) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
    CHECK(sha256_hex(std::string(64, 'a')) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST_CASE("sha256_file agrees with the sha256sum program", "[workflow][sha256]") {
    const orrery::test::TempDir dir("orrery_sha256");
    const auto file = dir / "data.bin";
    {
        std::ofstream out(file, std::ios::binary);
        // 2.5 MiB of varied bytes: more than two of sha256_file's 1 MiB reads.
        std::uint32_t x = 12345;
        for (std::size_t i = 0; i < (5u << 19); ++i) {
            x = x * 1664525u + 1013904223u;
            out.put(static_cast<char>(x >> 24));
        }
    }
    const auto r = orrery::test::run_program("/usr/bin/sha256sum", {"data.bin"}, dir);
    REQUIRE(r.rc == 0);
    REQUIRE(r.out.size() >= 64);
    CHECK(sha256_file(file) == r.out.substr(0, 64));
}

TEST_CASE("sha256_file names a missing file", "[workflow][sha256]") {
    const orrery::test::TempDir dir("orrery_sha256");
    const auto missing = dir / "nope.json";
    CHECK_THROWS_WITH(sha256_file(missing), Catch::Contains(missing.string()));
    CHECK_THROWS_AS(sha256_file(missing), orrery::InputError);
}
