// A step with no process function is rejected at registration, naming the rule.
// EXPECT: step has no static `process\(In, const Params&, orrery::Context&\) -> Out` function
// EXPECT: check_step\(\) \[with S = NoProcess\]|check_step<NoProcess>
#include "orrery/orrery.hpp"

struct NoProcess {
    static constexpr std::string_view name = "no_process";
    using Params = orrery::NoParams;
};
ORRERY_REGISTER_STEP(NoProcess)

int main() {}
