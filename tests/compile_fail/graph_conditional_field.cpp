// A NamedInputs field fed by a conditional (when<...>) stage must be a std::optional:
// otherwise one message naming the stage, the producer and the field's type.
// EXPECT: must be a std::optional
// EXPECT: graph_conditional_input<orrery::fixed_string<6>{"macro"}, orrery::fixed_string<7>{"lyrics"}, gs::Lyrics>|graph_conditional_input<{{109, 97, 99, 114, 111, 0}}, {{108, 121, 114, 105, 99, 115, 0}}, gs::Lyrics>
// ERRORS: 1
#include "orrery/graph/static_graph.hpp"

#include "../graph/static_graph_steps.hpp"

struct StrictIn {
    BOOST_HANA_DEFINE_STRUCT(StrictIn, (gs::Profile, profile), (gs::Lyrics, lyrics));
};
struct StrictPlanner {
    static constexpr std::string_view name = "strict_planner";
    using Params = orrery::NoParams;
    static int process(StrictIn in, const Params&, orrery::Context&) { return in.profile.energy; }
};

int main() {
    auto g = orrery::graph<"bad">(orrery::stage<"audio">(gs::Analyse{}, orrery::from<"input">),
                                  orrery::stage<"profile">(gs::AudioProfile{}, orrery::from<"audio">),
                                  orrery::stage<"lyrics">(gs::Transcribe{}, orrery::from<"audio">, orrery::when<gs::HasLyrics>),
                                  orrery::stage<"macro">(StrictPlanner{}, orrery::from<"profile", "lyrics">));
    orrery::Context ctx;
    (void)g.run(gs::Song{"a", 10}, ctx).get<"macro">();
}
