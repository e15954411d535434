#pragma once
// Small steps for the static-graph tests and compile-fail cases: a song is analysed,
// profiled and (when the state says it has lyrics) transcribed; a planner takes both
// by name and makes groups, each planned by a fanned-out step.
#include "orrery/core/context.hpp"
#include "orrery/core/params.hpp"
#include "orrery/core/stage_result.hpp"
#include "orrery/graph/named_inputs.hpp"

#include <optional>
#include <string>
#include <vector>

namespace gs {

struct Song {
    std::string title;
    int beats = 0;
};
struct Audio {
    std::string title;
    int beats = 0;
};
struct Profile {
    int energy = 0;
};
struct Lyrics {
    std::string text;
};
struct Group {
    int id = 0;
};
struct Plan {
    int group = 0;
    std::string text;
};

struct MacroIn {
    BOOST_HANA_DEFINE_STRUCT(MacroIn, (Profile, profile), (std::optional<Lyrics>, lyrics));
};

struct Analyse {
    static constexpr std::string_view name = "analyse";
    static constexpr std::string_view description = "Tempo and title of a song";
    using Params = orrery::NoParams;
    static Audio process(Song s, const Params&, orrery::Context&) { return {s.title, s.beats}; }
};

struct ScaleParams {
    int factor = 1;
};
struct AudioProfile {
    static constexpr std::string_view name = "audio_profile";
    static constexpr std::string_view description = "Energy of the audio";
    static constexpr std::string_view state_key = "profile";  // the metadata's default handler stores it
    using Params = ScaleParams;
    static Profile process(Audio a, const Params& p, orrery::Context&) { return {a.beats * p.factor}; }
};

struct Transcribe {
    static constexpr std::string_view name = "transcribe";
    static constexpr std::string_view description = "The lyrics of the audio";
    using Params = orrery::NoParams;
    static orrery::StageResult<Lyrics> process(Audio a, const Params&, orrery::Context&) {
        if (a.title.empty()) return orrery::StageResult<Lyrics>::failure("no title to transcribe", "input");
        return orrery::StageResult<Lyrics>::success({"la la " + a.title});
    }
};

/// The condition: the run's state says the song has lyrics.
struct HasLyrics {
    static bool test(const orrery::Context& ctx) { return ctx.get_state<bool>("has_lyrics", false); }
};

struct MacroPlanner {
    static constexpr std::string_view name = "macro_planner";
    static constexpr std::string_view description = "Display groups from the profile and lyrics";
    using Params = orrery::NoParams;
    /// One group per 10 of energy; group 100 more when there are lyrics.
    static std::vector<Group> process(MacroIn in, const Params&, orrery::Context&) {
        std::vector<Group> out;
        for (int i = 0; i < in.profile.energy / 10; ++i) out.push_back({i});
        if (in.lyrics) out.push_back({100});
        return out;
    }
};

struct GroupPlannerParams {
    int fail_group = -1;
};
struct GroupPlanner {
    static constexpr std::string_view name = "group_planner";
    static constexpr std::string_view description = "The plan of one display group";
    using Params = GroupPlannerParams;
    static orrery::StageResult<Plan> process(Group g, const Params& p, orrery::Context&) {
        if (g.id == p.fail_group) return orrery::StageResult<Plan>::failure("group " + std::to_string(g.id) + " cannot be planned");
        return orrery::StageResult<Plan>::success({g.id, "plan " + std::to_string(g.id)});
    }
};

}  // namespace gs

ORRERY_PARAMS(gs::ScaleParams, (factor, "Multiplies the beats"))
ORRERY_PARAMS(gs::GroupPlannerParams, (fail_group, "The group that fails (tests)"))
