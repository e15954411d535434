// An edge whose producer value is not what the stage takes must not compile: one
// message naming both stages, the type expected and the type produced.
// EXPECT: graph type mismatch
// EXPECT: graph_edge<orrery::fixed_string<8>{"profile"}, orrery::fixed_string<6>{"audio"}, gs::Audio, gs::Song>|graph_edge<{{112, 114, 111, 102, 105, 108, 101, 0}}, {{97, 117, 100, 105, 111, 0}}, gs::Audio, gs::Song>
// ERRORS: 1
#include "orrery/graph/static_graph.hpp"

#include "../graph/static_graph_steps.hpp"

/// Song -> Song: its value is not the Audio the profile stage takes.
struct Tidy {
    static constexpr std::string_view name = "tidy";
    using Params = orrery::NoParams;
    static gs::Song process(gs::Song s, const Params&, orrery::Context&) { return s; }
};

int main() {
    auto g = orrery::graph<"bad">(orrery::stage<"audio">(Tidy{}, orrery::from<"input">),
                                  orrery::stage<"profile">(gs::AudioProfile{}, orrery::from<"audio">));
    orrery::Context ctx;
    (void)g.run(gs::Song{"a", 10}, ctx).get<"profile">();
}
