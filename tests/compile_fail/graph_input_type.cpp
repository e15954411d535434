// Stages that read "input" (the graph's run argument) as different types must not
// compile: one message naming the stage, the type the first reader fixed and its own.
// EXPECT: stages read different types from
// EXPECT: graph_input_type<orrery::fixed_string<6>{"count"}, gs::Song, int>|graph_input_type<{{99, 111, 117, 110, 116, 0}}, gs::Song, int>
// ERRORS: 1
#include "orrery/graph/static_graph.hpp"

#include "../graph/static_graph_steps.hpp"

struct Count {
    static constexpr std::string_view name = "count";
    using Params = orrery::NoParams;
    static int process(int n, const Params&, orrery::Context&) { return n; }
};

int main() {
    auto g = orrery::graph<"bad">(orrery::stage<"audio">(gs::Analyse{}, orrery::from<"input">),
                                  orrery::stage<"count">(Count{}, orrery::from<"input">));
    orrery::Context ctx;
    (void)g.run(gs::Song{"a", 10}, ctx);
}
