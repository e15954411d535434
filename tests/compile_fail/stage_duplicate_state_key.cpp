// A stage that declares one state key twice is rejected when its metadata is made.
// EXPECT: a stage declares the same state key twice
// EXPECT: make_stage_metadata.*TwiceKey
// ERRORS: 1
#include "orrery/graph/register_stage.hpp"

struct TwiceKey {
    static constexpr std::string_view name = "twice_key";
    static constexpr std::string_view description = "Declares a key twice";
    static constexpr std::string_view state_keys[] = {"words", "lines", "words"};
    using Params = orrery::NoParams;
    static int process(int x, const Params&, orrery::Context&) { return x; }
    static void apply_output(const int&, orrery::Context&) {}
};
ORRERY_REGISTER_STAGE(TwiceKey)

int main() {}
