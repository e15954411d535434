#pragma once
// The registry of steps and pipelines, filled by ORRERY_REGISTER_STEP /
// ORRERY_REGISTER_PIPELINE. A function-local static (constructed on first use),
// so registration order across translation units does not matter.
//
// Lookup accepts the alias ("saturation"), the class name
// ("jwst.saturation.SaturationStep"), any further import path the step declares
// ("jwst.saturation.saturation_step.SaturationStep") and "pkg::alias" ("jwst::saturation").
// Two packages registering one alias is not an error until the alias is looked
// up without its package; then the error names both origins.

#include "orrery/core/any_value.hpp"
#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/output_naming.hpp"
#include "orrery/core/param_tree.hpp"
#include "orrery/core/params.hpp"
#include "orrery/core/row_stage.hpp"
#include "orrery/core/step_settings.hpp"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <typeindex>
#include <utility>
#include <vector>

namespace orrery {

enum class StepKind { step, pipeline };

class AnyStep;

/// Everything known about a registered step or pipeline without running it.
struct StepInfo {
    std::string alias;
    std::string class_name;
    std::string package;        // first component of class_name ("jwst"), or "" if none
    std::vector<std::string> import_paths;  // other class names that resolve to it (module paths)
    StepKind kind = StepKind::step;
    std::string description;
    std::string status_key;
    bool default_skip = false;
    bool row_step = false;                     // defined by prepare / process_rows: may be fused
    bool skippable = true;                     // skip=True is possible (In == Out, or a when_skipped conversion)
    std::vector<ParamSchema> params;           // the step's own parameters
    std::vector<std::string> reference_types;  // each adds override_<reftype>
    std::string output_ext;                    // default of the built-in output_ext (the output product's)
    std::type_index input_type = typeid(void);
    std::type_index output_type = typeid(void);
    std::string input_type_name, output_type_name;
    std::vector<std::string> children;         // pipelines: child aliases as listed (Pipeline::aliases())
    std::string origin;                        // "file:line" of the registration
    std::function<std::unique_ptr<AnyStep>()> factory;
    /// Command-line product I/O, set when product_traits<input>::loadable / <output>::saveable:
    /// read the input from a file; save the output (paths written).
    std::function<AnyValue(const std::filesystem::path&)> load_input;
    std::function<std::vector<std::filesystem::path>(const AnyValue&, const OutputNamer&, std::string_view suffix)> save_output;
    /// One-line summary of an output (product_traits<output>::summary), if the type has one.
    std::function<std::string(const AnyValue&)> summarize_output;
    /// The file an output came from (product_traits<output>::filename): output_use_model names by it.
    std::function<std::string(const AnyValue&)> output_filename;
    /// Set for a pipeline that names its own product (jwst's calwebb_detector1: "rate"): the
    /// suffix it is saved with, whatever the suffix parameter says.
    std::function<std::string(const AnyValue&)> product_suffix;

    /// The parameters of every step: stpipe built-ins + override_<reftype>.
    [[nodiscard]] std::vector<ParamSchema> builtin_params() const;
};

/// One entry of a dry-run plan.
struct PlanEntry {
    std::string alias;
    std::string class_name;
    bool skip = false;
    std::vector<std::pair<std::string, ParamNode>> non_default;  // name -> value (with source)
    std::vector<std::string> references;                         // "reftype: path"
};

/// A type-erased, configured step or pipeline (the dynamic path).
class AnyStep {
public:
    virtual ~AnyStep() = default;
    [[nodiscard]] virtual const StepInfo& info() const = 0;
    /// Apply a parameter tree ({param: value, ..., steps: {alias: {...}}}); unknown keys are errors.
    virtual void configure(const ParamNode& tree) = 0;
    /// Current values of every parameter (own + built-ins + overrides, and children for pipelines).
    [[nodiscard]] virtual ParamNode parameters() const = 0;
    [[nodiscard]] virtual StepSettings& settings() = 0;
    /// Run on a boxed input of info().input_type; returns a box of info().output_type.
    virtual AnyValue run(AnyValue input, Context& ctx) = 0;
    /// The steps that would run, in order, with skip state, parameters and references.
    [[nodiscard]] virtual std::vector<PlanEntry> plan(const Context& ctx) const = 0;
    /// The reference types its steps declare, one entry per step (Context::reference_run).
    [[nodiscard]] virtual std::vector<std::string> reference_uses() const { return info().reference_types; }
    /// A row-block stage when this is a row step that may run fused now (see fused.hpp), else null.
    [[nodiscard]] virtual std::unique_ptr<RowStage> row_stage() const { return nullptr; }

    /// stpipe's instance name: what a parameter file run on its own calls it (its `name`, or
    /// the file's stem), else the class name's last component ("JumpStep"). Run on its own,
    /// a step or pipeline saves with it lower-cased as its default suffix.
    [[nodiscard]] std::string name() const { return name_.empty() ? std::string(class_leaf(info().class_name)) : name_; }
    void set_name(std::string name) { name_ = std::move(name); }

private:
    std::string name_;
};

class Registry {
public:
    /// The process-wide registry.
    static Registry& instance() {
        static Registry r;
        return r;
    }

    /// Add an entry. Re-adding the same class from the same origin is ignored.
    void add(StepInfo info) {
        std::lock_guard lock(mutex_);
        for (const auto& e : entries_)
            if (e.class_name == info.class_name && e.alias == info.alias) return;
        entries_.push_back(std::move(info));
    }

    /// Find by alias, class name or pkg::alias. nullptr if unknown; throws ConfigError if ambiguous.
    [[nodiscard]] const StepInfo* find(std::string_view name) const {
        std::lock_guard lock(mutex_);
        std::string_view pkg, alias = name;
        if (auto sep = name.find("::"); sep != std::string_view::npos) {
            pkg = name.substr(0, sep);
            alias = name.substr(sep + 2);
        }
        std::vector<const StepInfo*> hits;
        for (const auto& e : entries_) {
            if (pkg.empty() && (e.class_name == name || std::find(e.import_paths.begin(), e.import_paths.end(), name) != e.import_paths.end()))
                return &e;
            if (e.alias == alias && (pkg.empty() || e.package == pkg)) hits.push_back(&e);
        }
        if (hits.empty()) return nullptr;  // class names match exactly, as stpipe's do
        if (hits.size() > 1) {
            std::string msg = "step alias '" + std::string(alias) + "' is ambiguous: registered by " + hits[0]->class_name + " (" +
                              hits[0]->origin + ")";
            for (std::size_t i = 1; i < hits.size(); ++i) msg += " and " + hits[i]->class_name + " (" + hits[i]->origin + ")";
            msg += "; use <package>::" + std::string(alias);
            throw ConfigError(msg);
        }
        return hits.front();
    }

    /// Find or throw a UsageError that suggests close names.
    [[nodiscard]] const StepInfo& get(std::string_view name) const {
        if (const auto* e = find(name)) return *e;
        throw UsageError("unknown step or pipeline '" + std::string(name) + "' " + hint_for_unknown(name));
    }

    /// "(did you mean: a, b?)" when registered aliases contain the name or are
    /// contained in it, else the registered aliases themselves (the first few): the
    /// registry cannot know which program the user runs, so it names no command.
    [[nodiscard]] std::string hint_for_unknown(std::string_view name) const {
        const auto entries = all();
        std::string near;
        for (const auto& e : entries)
            if (e.alias.find(name) != std::string::npos || name.find(e.alias) != std::string_view::npos)
                near += (near.empty() ? "" : ", ") + e.alias;
        if (!near.empty()) return "(did you mean: " + near + "?)";
        if (entries.empty()) return "(nothing is registered: is the step's header included in the program?)";
        constexpr std::size_t shown = 8;
        std::string known;
        for (std::size_t i = 0; i < entries.size() && i < shown; ++i) known += (i ? ", " : "") + entries[i].alias;
        if (entries.size() > shown) known += ", ... " + std::to_string(entries.size() - shown) + " more";
        return "(registered: " + known + ")";
    }

    /// Build a configured-with-defaults instance.
    [[nodiscard]] std::unique_ptr<AnyStep> create(std::string_view name) const { return get(name).factory(); }

    [[nodiscard]] std::vector<StepInfo> all() const {
        std::lock_guard lock(mutex_);
        auto copy = entries_;
        std::sort(copy.begin(), copy.end(), [](const auto& a, const auto& b) { return a.class_name < b.class_name; });
        return copy;
    }
    [[nodiscard]] std::size_t size() const {
        std::lock_guard lock(mutex_);
        return entries_.size();
    }

private:
    Registry() = default;
    mutable std::mutex mutex_;
    std::vector<StepInfo> entries_;
};

inline std::vector<ParamSchema> StepInfo::builtin_params() const {
    auto out = params_schema<StepSettings>();
    for (auto& p : out) {
        p.builtin = true;
        if (p.name == "output_ext") p.default_value = to_node(output_ext);
    }
    for (const auto& r : reference_types) {
        ParamSchema s;
        s.name = "override_" + r;
        s.type = "string";
        s.default_value = ParamNode::null();
        s.help = "Override the " + r + " reference file (a path, or N/A to skip the step)";
        s.optional = true;
        s.builtin = true;
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace orrery
