// Stages that read from each other in a ring must not compile: one message naming
// the stages on the cycle in the order data flows.
// EXPECT: graph has a cycle
// EXPECT: graph_cycle<orrery::fixed_string<7>{"replay"}, orrery::fixed_string<8>{"profile"}, orrery::fixed_string<6>{"macro"}, orrery::fixed_string<7>{"replay"}>|graph_cycle<{{114, 101, 112, 108, 97, 121, 0}}, {{112, 114, 111, 102, 105, 108, 101, 0}}, {{109, 97, 99, 114, 111, 0}}, {{114, 101, 112, 108, 97, 121, 0}}>
// ERRORS: 1
#include "orrery/graph/static_graph.hpp"

#include "../graph/static_graph_steps.hpp"

/// Profile -> Audio, to close the ring.
struct Replay {
    static constexpr std::string_view name = "replay";
    using Params = orrery::NoParams;
    static gs::Audio process(std::vector<gs::Group> g, const Params&, orrery::Context&) { return {"again", static_cast<int>(g.size())}; }
};

int main() {
    auto g = orrery::graph<"bad">(orrery::stage<"audio">(gs::Analyse{}, orrery::from<"input">),
                                  orrery::stage<"lyrics">(gs::Transcribe{}, orrery::from<"audio">, orrery::when<gs::HasLyrics>),
                                  orrery::stage<"profile">(gs::AudioProfile{}, orrery::from<"replay">),
                                  orrery::stage<"macro">(gs::MacroPlanner{}, orrery::from<"profile", "lyrics">),
                                  orrery::stage<"replay">(Replay{}, orrery::from<"macro">));
    orrery::Context ctx;
    (void)g.run(gs::Song{"a", 10}, ctx);
}
