// Reflection that forgets a member is caught by the aggregate member count.
// EXPECT: ORRERY_PARAMS does not list every member of the Params struct
#include "orrery/orrery.hpp"

struct TwoParams {
    int n = 1;
    double x = 2.0;
    ORRERY_REFLECT(TwoParams, (n, "only n is listed"))
};
struct Forgetful {
    static constexpr std::string_view name = "forgetful";
    using Params = TwoParams;
    static int process(int v, const Params&, orrery::Context&) { return v; }
};
ORRERY_REGISTER_STEP(Forgetful)

int main() {}
