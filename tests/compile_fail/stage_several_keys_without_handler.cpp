// Several state keys without apply_output: which part of the output goes under
// which key cannot be guessed, so the stage must say.
// EXPECT: a stage with several state keys needs `static void apply_output\(const Value&, orrery::Context&\)`
// EXPECT: make_stage_metadata.*TwoKeys
// ERRORS: 1
#include "orrery/graph/register_stage.hpp"

#include <array>

struct TwoKeys {
    static constexpr std::string_view name = "two_keys";
    static constexpr std::string_view description = "Fills two state keys";
    static constexpr std::array<std::string_view, 2> state_keys{"words", "lines"};
    using Params = orrery::NoParams;
    static int process(int x, const Params&, orrery::Context&) { return x; }
};
ORRERY_REGISTER_STAGE(TwoKeys)

int main() {}
