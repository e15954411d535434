// "Did you mean": edit distance, closeness limit and message shape; the registry's
// hint for unknown names names no program.
#include "orrery/core/registry.hpp"
#include "orrery/core/suggest.hpp"

#include <catch2/catch.hpp>

TEST_CASE("edit distance counts insertions, deletions, substitutions and transpositions") {
    CHECK(orrery::edit_distance("", "") == 0);
    CHECK(orrery::edit_distance("abc", "") == 3);
    CHECK(orrery::edit_distance("factor", "fator") == 1);
    CHECK(orrery::edit_distance("factor", "fatcor") == 1);  // one transposition
    CHECK(orrery::edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("close names are within a third of the typed length, closest first") {
    const std::vector<std::string> names{"rejection_threshold", "three_group_rejection_threshold", "maximum_cores", "skip"};
    CHECK(orrery::close_names("rejection_treshold", names) == std::vector<std::string>{"rejection_threshold"});
    CHECK(orrery::close_names("skp", names) == std::vector<std::string>{"skip"});
    CHECK(orrery::close_names("bogus", names).empty());
    CHECK(orrery::did_you_mean("skp", names) == " (did you mean 'skip'?)");
    CHECK(orrery::did_you_mean("bogus", names).empty());
    CHECK(orrery::did_you_mean("ab", {"aa", "bb", "ac"}) == " (did you mean 'aa', 'bb' or 'ac'?)");
}

TEST_CASE("the registry's hint for an unknown name lists what is registered, never a program") {
    const std::string hint = orrery::Registry::instance().hint_for_unknown("zzzz-no-such-step");
    CHECK(hint.find("orrery list") == std::string::npos);
    CHECK((hint.rfind("(registered: ", 0) == 0 || hint.rfind("(nothing is registered", 0) == 0));
}
