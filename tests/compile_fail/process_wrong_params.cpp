// process() must take the step's own Params type.
// EXPECT: step `process` must take `const Params&` of the step's own Params type
#include "orrery/orrery.hpp"

struct Other {
    int k = 0;
    ORRERY_REFLECT(Other, (k, "k"))
};
struct Mine {
    int n = 0;
    ORRERY_REFLECT(Mine, (n, "n"))
};
struct WrongParams {
    static constexpr std::string_view name = "wrong_params";
    using Params = Mine;
    static int process(int v, const Other&, orrery::Context&) { return v; }
};
ORRERY_REGISTER_STEP(WrongParams)

int main() {}
