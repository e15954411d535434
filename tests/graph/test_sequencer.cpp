// examples/sequencer as its user runs it: with vocals the lyrics stage runs beside
// the profile; without, it is skipped and the macro plan is instrumental; every
// display group gets its plan, in order.
#include "../support/run_program.hpp"
#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <string>

using orrery::test::run_program;

namespace {
const std::string program = ORRERY_BINARY_DIR "/bin/sequencer";
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("sequencer plans a song with lyrics and an instrumental") {
    const orrery::test::TempDir dir("sequencer");
    auto song = run_program(program, {"Orbital Resonance", "--seconds", "120"}, dir.path());
    INFO(song.out << song.err);
    REQUIRE(song.rc == 0);
    CHECK(contains(song.out, "lyrics          SUCCEEDED"));
    CHECK(contains(song.out, "\"Orbital Resonance\": warm, lyric-led\n"));
    const auto front = song.out.find("  front_wash"), back = song.out.find("  back_spots"), strobes = song.out.find("  strobes"),
               pixels = song.out.find("  pixel_bar");
    CHECK(front < back);  // gathered in input order
    CHECK(back < strobes);
    CHECK(strobes < pixels);
    CHECK(pixels != std::string::npos);

    auto quiet = run_program(program, {"Quiet Hours", "--instrumental"}, dir.path());
    INFO(quiet.out << quiet.err);
    REQUIRE(quiet.rc == 0);
    CHECK(contains(quiet.out, "lyrics          SKIPPED        0 ms  condition when sequencer::HasLyrics is false"));
    CHECK(contains(quiet.out, ": driving, instrumental\n"));
    CHECK(contains(quiet.out, "  front_wash  1 cues\n"));

    auto bad = run_program(program, {"--tempo", "3"}, dir.path());
    CHECK(bad.rc == 2);
    CHECK(bad.err == "sequencer: error: unknown option --tempo\nusage: sequencer [TITLE] [--seconds N] [--instrumental]\n");
}
