// A Params struct without ORRERY_PARAMS / ORRERY_REFLECT cannot be configured: rejected.
// EXPECT: Params type is not reflected
// EXPECT: check_step\(\) \[with S = Unreflected\]|check_step<Unreflected>
#include "orrery/orrery.hpp"

struct PlainParams {
    int n = 1;
};
struct Unreflected {
    static constexpr std::string_view name = "unreflected";
    using Params = PlainParams;
    static int process(int x, const Params& p, orrery::Context&) { return x + p.n; }
};
ORRERY_REGISTER_STEP(Unreflected)

int main() {}
