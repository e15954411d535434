#include "orrery/jwst/dq_flags.hpp"
#include "orrery/jwst/models.hpp"

#include <catch2/catch.hpp>

using namespace orrery;
using namespace orrery::jwst;

TEST_CASE("NdArray indexes in numpy order and views planes through Eigen") {
    NdArray<float, 4> a({2, 3, 4, 5});
    a(1, 2, 3, 4) = 7.f;
    CHECK(a[a.size() - 1] == 7.f);
    CHECK(a.plane_size() == 20);
    auto p = a.eigen_plane(5);  // integration 1, group 2
    CHECK(p.rows() == 4);
    CHECK(p.cols() == 5);
    CHECK(p(3, 4) == 7.f);
    CHECK(shape_text(a.shape()) == "(2, 3, 4, 5)");
    CHECK_THROWS(a.reshape({1, 1, 1, 1}));
}

TEST_CASE("DQ flag names and values follow the JWST table") {
    CHECK(dq::value_of("JUMP_DET") == 4u);
    CHECK(dq::value_of("REFERENCE_PIXEL") == 2147483648u);
    CHECK(dq::value_of("RESERVED_4") == dq::CHARGELOSS);
    CHECK_FALSE(dq::value_of("NOT_A_FLAG").has_value());
    CHECK(dq::name_of(dq::NO_SAT_CHECK) == "NO_SAT_CHECK");
    CHECK(dq::to_string(dq::SATURATED | dq::DO_NOT_USE) == "DO_NOT_USE|SATURATED");
    for (std::size_t bit = 0; bit < dq::pixel_flags.size(); ++bit) CHECK(dq::pixel_flags[bit].value == (1u << bit));
}

TEST_CASE("Header keeps cards and parses typed values") {
    Header h;
    h.append_card("NGROUPS =                   10 / number of groups");
    h.append_card("TFRAME  =            10.73677 / time");
    h.append_card("INSTRUME= 'NIRCAM  '           / instrument");
    CHECK(h.get_int("NGROUPS") == 10);
    CHECK(h.get_double("TFRAME") == Approx(10.73677));
    CHECK(h.get_string("INSTRUME") == "NIRCAM");
    h.set("S_DQINIT", "COMPLETE");
    CHECK(h.get_string("S_DQINIT") == "COMPLETE");
    CHECK(h.cards().size() == 4);
    CHECK(h.cards()[3].size() == 80);
}
