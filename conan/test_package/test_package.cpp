// Smallest use of an installed orrery: one step, one static pipeline.
#include <orrery/orrery.hpp>

#include <iostream>

struct Double {
    static constexpr std::string_view name = "double";
    using Params = orrery::NoParams;
    static int process(int x, const Params&, orrery::Context&) { return 2 * x; }
};

int main() {
    orrery::Context ctx;
    ctx.set_logger(nullptr);
    auto p = orrery::pipeline<"twice">(Double{}, Double{});
    const int out = p.run(5, ctx);
    std::cout << "orrery " << orrery::version_string << ": 5 -> " << out << "\n";
    return out == 20 ? 0 : 1;
}
