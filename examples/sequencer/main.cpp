// sequencer: plan a light show for a track as a static stage graph.
//
//   sequencer [TITLE] [--seconds N] [--instrumental]
//
// audio -> profile and (only with vocals) lyrics, at once -> macro -> one planner
// per display group, in parallel. Prints each stage's status and time, and the
// run's wall time beside the sum of its stages' times.
#include "sequencer_stages.hpp"

#include "orrery/graph/static_graph.hpp"

#include <cstdio>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
    sequencer::Track track{"Orbital Resonance", 180, true};
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--instrumental") track.vocals = false;
        else if (a == "--seconds" && i + 1 < argc) track.seconds = std::atof(argv[++i]);
        else if (a.rfind("--", 0) == 0) {
            std::cerr << "sequencer: error: unknown option " << a << "\nusage: sequencer [TITLE] [--seconds N] [--instrumental]\n";
            return 2;
        } else track.title = a;
    }
    if (!(track.seconds > 0)) {
        std::cerr << "sequencer: error: --seconds must be positive\n";
        return 2;
    }

    using namespace sequencer;
    // Edges, types and ids are checked when this compiles; the parallel structure
    // (profile beside lyrics, the group planners beside each other) comes from them.
    auto graph = orrery::graph<"sequencer">(
        orrery::stage<"audio">(AudioAnalysis{}, orrery::from<"input">),
        orrery::stage<"profile">(AudioProfile{}, orrery::from<"audio">),
        orrery::stage<"lyrics">(LyricsAlignment{}, orrery::from<"audio">, orrery::when<HasLyrics>),
        orrery::stage<"macro">(MacroPlanner{}, orrery::from<"profile", "lyrics">),
        orrery::stage<"group_contexts">(GroupContexts{}, orrery::from<"macro">),
        orrery::stage<"groups">(orrery::fan_out(GroupPlanner{}), orrery::from<"group_contexts">));

    orrery::Context ctx;
    ctx.set_logger(nullptr);
    orrery::GraphOptions options;
    options.concurrency = 4;  // the stages wait more than they compute: more at once than cores
    const auto result = graph.run(track, ctx, options);

    double stage_seconds = 0;
    for (const auto& s : result.report().stages) {
        std::printf("%-15s %-9s %6.0f ms  %s\n", s.id.c_str(), orrery::stage_status_text(s.status), s.seconds * 1000, s.message.c_str());
        stage_seconds += s.seconds;
    }
    if (!result.ok()) {
        std::cerr << "sequencer: " << orrery::graph_status_text(result.status()) << "\n";
        return 1;
    }
    const auto& macro = result.get<"macro">();
    std::printf("show '%s' for \"%s\": %s\n", "sequencer", track.title.c_str(), macro.style.c_str());
    for (const auto& g : result.get<"groups">()) std::printf("  %-11s %zu cues\n", g.group.c_str(), g.cues.size());
    std::printf("wall %.0f ms for %.0f ms of stage time\n", result.report().seconds * 1000, stage_seconds * 1000);
    return 0;
}
