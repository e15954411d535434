#pragma once
// The stages of a light-show sequencer: analyse a track's audio, then profile it
// and (only when it has vocals) align its lyrics, both at once; plan the show's
// macro structure from both; then plan each display group of lights in parallel.
// The stages are simulated: each waits a little, as a real analysis would, and
// produces deterministic data from the track.

#include "orrery/graph/named_inputs.hpp"
#include "orrery/step.hpp"

#include <chrono>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace sequencer {

struct Track {
    std::string title;
    double seconds = 180;
    bool vocals = true;
};
struct Section {
    std::string name;
    double start = 0, end = 0;
    double energy = 0;  // 0..1
};
struct AudioFeatures {
    std::string title;
    double tempo = 0;  // beats per minute
    std::vector<Section> sections;
    bool has_lyrics = false;
};
struct Profile {
    std::string mood;
    std::size_t peak_section = 0;
};
struct LyricLine {
    double start = 0;
    std::string section;
};
struct LyricsTiming {
    std::vector<LyricLine> lines;
};
struct Cue {
    double time = 0;
    std::string look;
};
struct GroupContext {
    std::string group;
    double tempo = 0;
    std::vector<Cue> macro_cues;
};
struct MacroPlan {
    std::string style;
    std::vector<GroupContext> groups;
};
struct GroupPlan {
    std::string group;
    std::vector<Cue> cues;
};

/// Simulated work: waits, but stops early when the run is cancelled.
inline void work_for(std::chrono::milliseconds d, orrery::Context& ctx) {
    const auto end = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < end) {
        ctx.throw_if_cancelled();
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

struct AudioAnalysis {
    static constexpr std::string_view name = "audio_analysis";
    static constexpr std::string_view description = "Tempo, sections and vocals of a track";
    static constexpr std::string_view state_key = "has_lyrics";  // what the lyrics condition reads
    using Params = orrery::NoParams;
    static AudioFeatures process(const Track& t, const Params&, orrery::Context& ctx) {
        work_for(std::chrono::milliseconds(40), ctx);
        AudioFeatures f{t.title, 96 + static_cast<double>(t.title.size() % 7) * 8, {}, t.vocals};
        const char* names[] = {"intro", "verse", "chorus", "verse", "chorus", "outro"};
        const double length = t.seconds / 6;
        for (int i = 0; i < 6; ++i) f.sections.push_back({names[i], i * length, (i + 1) * length, 0.3 + 0.6 * std::abs(std::sin(i * 1.3))});
        return f;
    }
    static void apply_output(const AudioFeatures& f, orrery::Context& ctx) { ctx.set_state("has_lyrics", f.has_lyrics); }
};

struct AudioProfile {
    static constexpr std::string_view name = "audio_profile";
    static constexpr std::string_view description = "Mood and peak of a track";
    using Params = orrery::NoParams;
    static Profile process(const AudioFeatures& f, const Params&, orrery::Context& ctx) {
        work_for(std::chrono::milliseconds(60), ctx);
        Profile p{f.tempo > 120 ? "driving" : "warm", 0};
        for (std::size_t i = 1; i < f.sections.size(); ++i)
            if (f.sections[i].energy > f.sections[p.peak_section].energy) p.peak_section = i;
        return p;
    }
};

struct LyricsAlignment {
    static constexpr std::string_view name = "lyrics_alignment";
    static constexpr std::string_view description = "Start times of the sung lines";
    using Params = orrery::NoParams;
    static LyricsTiming process(const AudioFeatures& f, const Params&, orrery::Context& ctx) {
        work_for(std::chrono::milliseconds(60), ctx);
        LyricsTiming l;
        for (const auto& s : f.sections)
            if (s.name == "verse" || s.name == "chorus")
                for (double t = s.start; t < s.end; t += 240.0 / f.tempo) l.lines.push_back({t, s.name});
        return l;
    }
};

/// The lyrics stage runs only for tracks with vocals (the analysis's state key).
struct HasLyrics {
    static bool test(const orrery::Context& ctx) { return ctx.get_state<bool>("has_lyrics", false); }
};

struct MacroInputs {
    BOOST_HANA_DEFINE_STRUCT(MacroInputs, (Profile, profile), (std::optional<LyricsTiming>, lyrics));
};

struct MacroPlanner {
    static constexpr std::string_view name = "macro_planner";
    static constexpr std::string_view description = "The show's structure: one cue per section, per display group";
    using Params = orrery::NoParams;
    static MacroPlan process(const MacroInputs& in, const Params&, orrery::Context& ctx) {
        work_for(std::chrono::milliseconds(20), ctx);
        MacroPlan plan{in.profile.mood + (in.lyrics ? ", lyric-led" : ", instrumental"), {}};
        for (const char* group : {"front_wash", "back_spots", "strobes", "pixel_bar"}) {
            GroupContext g{group, 0, {}};
            if (in.lyrics)
                for (const auto& line : in.lyrics->lines) g.macro_cues.push_back({line.start, line.section});
            else
                g.macro_cues.push_back({0, in.profile.mood});
            plan.groups.push_back(std::move(g));
        }
        return plan;
    }
};

struct GroupContexts {
    static constexpr std::string_view name = "group_contexts";
    static constexpr std::string_view description = "The display groups to plan, from the macro plan";
    using Params = orrery::NoParams;
    static std::vector<GroupContext> process(const MacroPlan& plan, const Params&, orrery::Context&) { return plan.groups; }
};

struct GroupPlanner {
    static constexpr std::string_view name = "group_planner";
    static constexpr std::string_view description = "The cues of one display group";
    using Params = orrery::NoParams;
    static GroupPlan process(const GroupContext& g, const Params&, orrery::Context& ctx) {
        work_for(std::chrono::milliseconds(50), ctx);
        GroupPlan p{g.group, {}};
        for (const auto& c : g.macro_cues) p.cues.push_back({c.time, g.group + ":" + c.look});
        return p;
    }
};

}  // namespace sequencer
