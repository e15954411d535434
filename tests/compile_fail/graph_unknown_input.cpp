// A stage reading from<...> a name no stage has must not compile: one message
// naming the stage and the unknown input.
// EXPECT: unknown input
// EXPECT: graph_unknown_input<orrery::fixed_string<8>{"profile"}, orrery::fixed_string<6>{"audoi"}>|graph_unknown_input<{{112, 114, 111, 102, 105, 108, 101, 0}}, {{97, 117, 100, 111, 105, 0}}>
// ERRORS: 1
#include "orrery/graph/static_graph.hpp"

#include "../graph/static_graph_steps.hpp"

int main() {
    auto g = orrery::graph<"bad">(orrery::stage<"audio">(gs::Analyse{}, orrery::from<"input">),
                                  orrery::stage<"profile">(gs::AudioProfile{}, orrery::from<"audoi">));
    orrery::Context ctx;
    (void)g.run(gs::Song{"a", 10}, ctx).get<"profile">();
}
