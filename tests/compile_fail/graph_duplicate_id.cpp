// Two stages with one id must not compile: one message naming the id.
// EXPECT: two stages with the same id
// EXPECT: graph_duplicate_stage_id<orrery::fixed_string<6>{"audio"}>|graph_duplicate_stage_id<{{97, 117, 100, 105, 111, 0}}>
// ERRORS: 1
#include "orrery/graph/static_graph.hpp"

#include "../graph/static_graph_steps.hpp"

int main() {
    auto g = orrery::graph<"bad">(orrery::stage<"audio">(gs::Analyse{}, orrery::from<"input">),
                                  orrery::stage<"audio">(gs::AudioProfile{}, orrery::from<"audio">));
    orrery::Context ctx;
    (void)g.run(gs::Song{"a", 10}, ctx);
}
