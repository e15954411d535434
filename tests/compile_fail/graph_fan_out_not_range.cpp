// A fan-out over a producer whose value is not a std::vector must not compile: one
// message naming the fan-out stage, the producer and its value type.
// EXPECT: fan-out over a non-range
// EXPECT: graph_fan_out_not_range<orrery::fixed_string<7>{"groups"}, orrery::fixed_string<8>{"profile"}, gs::Profile>|graph_fan_out_not_range<{{103, 114, 111, 117, 112, 115, 0}}, {{112, 114, 111, 102, 105, 108, 101, 0}}, gs::Profile>
// ERRORS: 1
#include "orrery/graph/static_graph.hpp"

#include "../graph/static_graph_steps.hpp"

int main() {
    auto g = orrery::graph<"bad">(orrery::stage<"audio">(gs::Analyse{}, orrery::from<"input">),
                                  orrery::stage<"profile">(gs::AudioProfile{}, orrery::from<"audio">),
                                  orrery::stage<"groups">(orrery::fan_out(gs::GroupPlanner{}), orrery::from<"profile">));
    orrery::Context ctx;
    (void)g.run(gs::Song{"a", 10}, ctx).get<"groups">();
}
