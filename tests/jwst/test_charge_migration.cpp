// charge_migration kernel on small synthetic ramps (no golden vectors for this step).
#include "orrery/jwst/algorithms/charge_migration.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>

using namespace orrery;
using namespace orrery::jwst;

namespace {

constexpr std::uint8_t CHLO_DNU = 129;

RampModel ramp(std::size_t nints, std::size_t ngroups, std::size_t ny, std::size_t nx, float fill = 100.f) {
    RampModel m;
    m.sci.resize({nints, ngroups, ny, nx}, fill);
    m.groupdq.resize({nints, ngroups, ny, nx}, 0);
    m.pixeldq.resize({ny, nx}, 0);
    return m;
}

}  // namespace

TEST_CASE("charge_migration: a trigger flags itself and its 4 neighbours from that group on") {
    auto m = ramp(1, 5, 5, 6);
    m.sci(0, 2, 2, 3) = 30000.f;  // later groups stay low: flagging does not depend on them
    const auto before_sci = m.sci;
    const auto out = flag_charge_migration(m, {});
    CHECK_FALSE(out.skipped);
    for (std::size_t g = 0; g < 5; ++g)
        for (std::size_t y = 0; y < 5; ++y)
            for (std::size_t x = 0; x < 6; ++x) {
                const bool cross = (y == 2 && x == 3) || (y == 1 && x == 3) || (y == 3 && x == 3) || (y == 2 && x == 2) ||
                                   (y == 2 && x == 4);
                const std::uint8_t want = (cross && g >= 2) ? CHLO_DNU : 0;
                INFO("g=" << g << " y=" << y << " x=" << x);
                CHECK(m.groupdq(0, g, y, x) == want);
            }
    CHECK(m.sci == before_sci);  // only GROUPDQ changes
}

TEST_CASE("charge_migration: edges drop outside neighbours, no wrap and no diagonals") {
    auto m = ramp(1, 3, 4, 4);
    m.sci(0, 0, 0, 0) = 25001.f;  // corner
    flag_charge_migration(m, {});
    for (std::size_t g = 0; g < 3; ++g) {
        CHECK(m.groupdq(0, g, 0, 0) == CHLO_DNU);
        CHECK(m.groupdq(0, g, 0, 1) == CHLO_DNU);
        CHECK(m.groupdq(0, g, 1, 0) == CHLO_DNU);
        CHECK(m.groupdq(0, g, 1, 1) == 0);  // diagonal
        CHECK(m.groupdq(0, g, 3, 0) == 0);  // would be the wrapped row
        CHECK(m.groupdq(0, g, 0, 3) == 0);  // would be the wrapped column
    }
}

TEST_CASE("charge_migration: DO_NOT_USE test is exact equality with 1") {
    auto m = ramp(1, 4, 3, 7);
    m.sci(0, 1, 1, 1) = 40000.f;
    m.groupdq(0, 1, 1, 1) = 1;  // exactly DNU: no trigger
    m.sci(0, 1, 1, 5) = 40000.f;
    m.groupdq(0, 1, 1, 5) = 3;  // DNU|SATURATED: triggers
    m.groupdq(0, 3, 1, 5) = 1;  // a later DNU group is still flagged
    m.groupdq(0, 0, 1, 5) = 4;  // earlier group keeps its flags
    flag_charge_migration(m, {});
    for (std::size_t g = 0; g < 4; ++g) {
        CHECK(m.groupdq(0, g, 1, 1) == (g == 1 ? 1 : 0));
        CHECK(m.groupdq(0, g, 0, 1) == 0);
    }
    CHECK(m.groupdq(0, 0, 1, 5) == 4);
    CHECK(m.groupdq(0, 1, 1, 5) == (3 | CHLO_DNU));
    CHECK(m.groupdq(0, 2, 1, 5) == CHLO_DNU);
    CHECK(m.groupdq(0, 3, 1, 5) == CHLO_DNU);
    CHECK(m.groupdq(0, 1, 1, 4) == CHLO_DNU);
    CHECK(m.groupdq(0, 1, 1, 6) == CHLO_DNU);
    CHECK(m.groupdq(0, 1, 0, 5) == CHLO_DNU);
    CHECK(m.groupdq(0, 1, 2, 5) == CHLO_DNU);
    CHECK(m.groupdq(0, 0, 1, 4) == 0);
}

TEST_CASE("charge_migration: strict >, float32 threshold, NaN never triggers") {
    auto m = ramp(1, 3, 3, 9);
    m.sci(0, 0, 1, 1) = 25000.f;  // equal: no trigger
    m.sci(0, 0, 1, 4) = std::numeric_limits<float>::quiet_NaN();
    m.sci(0, 0, 1, 7) = std::numeric_limits<float>::infinity();
    flag_charge_migration(m, {});
    CHECK(m.groupdq(0, 0, 1, 1) == 0);
    CHECK(m.groupdq(0, 2, 1, 4) == 0);
    CHECK(m.groupdq(0, 0, 1, 7) == CHLO_DNU);

    // 24999.9999 rounds to 25000.0f, so SCI = 25000 does not exceed it (a double compare would).
    auto n = ramp(1, 3, 1, 1, 25000.f);
    flag_charge_migration(n, {24999.9999});
    CHECK(n.groupdq(0, 2, 0, 0) == 0);
    flag_charge_migration(n, {24999.99});
    CHECK(n.groupdq(0, 0, 0, 0) == CHLO_DNU);
}

TEST_CASE("charge_migration: the earliest trigger among a pixel and its neighbours sets the start") {
    auto m = ramp(2, 6, 1, 5);
    m.sci(0, 4, 0, 1) = 26000.f;
    m.sci(0, 2, 0, 2) = 26000.f;
    // integration 1 is independent: trigger only at group 5 of pixel 4
    m.sci(1, 5, 0, 4) = 26000.f;
    flag_charge_migration(m, {});
    const int start0[5] = {4, 2, 2, 2, 6};  // pixel 0 via 1 (g4); 1 via 2 (g2); 3 via 2; 4 none
    const int start1[5] = {6, 6, 6, 5, 5};
    for (std::size_t g = 0; g < 6; ++g)
        for (std::size_t x = 0; x < 5; ++x) {
            INFO("g=" << g << " x=" << x);
            CHECK(m.groupdq(0, g, 0, x) == (static_cast<int>(g) >= start0[x] ? CHLO_DNU : 0));
            CHECK(m.groupdq(1, g, 0, x) == (static_cast<int>(g) >= start1[x] ? CHLO_DNU : 0));
        }
}

TEST_CASE("charge_migration: fewer than 3 groups is skipped, data untouched") {
    auto m = ramp(1, 2, 2, 2, 90000.f);
    const auto before = m.groupdq;
    const auto out = flag_charge_migration(m, {});
    CHECK(out.skipped);
    CHECK(out.reason.find("3 groups") != std::string::npos);
    CHECK(m.groupdq == before);
    ChargeMigrationParams defaults;
    CHECK(defaults.signal_threshold == 25000.0);
}
