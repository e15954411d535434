// A stage whose state key is not an identifier is rejected when its metadata is made.
// EXPECT: a stage's state keys must be identifiers \(letters, digits and '_', not starting with a digit\)
// EXPECT: make_stage_metadata.*BadKey
// ERRORS: 1
#include "orrery/graph/register_stage.hpp"

struct BadKey {
    static constexpr std::string_view name = "bad_key";
    static constexpr std::string_view description = "Stores its output under a key with a dash";
    static constexpr std::string_view state_key = "word-count";
    using Params = orrery::NoParams;
    static int process(int x, const Params&, orrery::Context&) { return x; }
};
ORRERY_REGISTER_STAGE(BadKey)

int main() {}
