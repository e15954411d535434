// A several-input stage whose NamedInputs fields are not named as its from<...>
// list must not compile: one message naming the stage, its input struct and the list.
// EXPECT: must be named exactly as the inputs in from
// EXPECT: graph_field_names<orrery::fixed_string<6>{"macro"}, gs::MacroIn, orrery::from_spec<orrery::fixed_string<8>{"profile"}, orrery::fixed_string<6>{"words"}> >|graph_field_names<{{109, 97, 99, 114, 111, 0}}, gs::MacroIn, orrery::from_spec<{{112, 114, 111, 102, 105, 108, 101, 0}}, {{119, 111, 114, 100, 115, 0}}>>
// ERRORS: 1
#include "orrery/graph/static_graph.hpp"

#include "../graph/static_graph_steps.hpp"

int main() {
    auto g = orrery::graph<"bad">(orrery::stage<"audio">(gs::Analyse{}, orrery::from<"input">),
                                  orrery::stage<"profile">(gs::AudioProfile{}, orrery::from<"audio">),
                                  orrery::stage<"words">(gs::Transcribe{}, orrery::from<"audio">, orrery::when<gs::HasLyrics>),
                                  orrery::stage<"macro">(gs::MacroPlanner{}, orrery::from<"profile", "words">));
    orrery::Context ctx;
    (void)g.run(gs::Song{"a", 10}, ctx).get<"macro">();
}
