#pragma once
// Configuring and running one step: its parameters, built-in settings and
// reference overrides (StepConfig), and the runner every pipeline uses, static
// or dynamic, so both behave the same: skip, hooks, observers, status
// recording, save_results.

#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/hooks.hpp"
#include "orrery/core/output_naming.hpp"
#include "orrery/core/param_tree.hpp"
#include "orrery/core/params.hpp"
#include "orrery/core/product.hpp"
#include "orrery/core/row_step.hpp"
#include "orrery/core/step_settings.hpp"
#include "orrery/core/step_traits.hpp"
#include "orrery/core/suggest.hpp"

#include <algorithm>
#include <chrono>
#include <concepts>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orrery {

template <Step S>
struct StepConfig {
    using step_type_tag = S;
    typename S::Params params{};
    StepSettings settings{};
    ReferenceOverrides overrides;
    ParamNode explicit_values = ParamNode::map();  // every value set by configure(), with its source

    StepConfig() {
        settings.skip = step_traits<S>::default_skip;
        settings.output_ext = std::string(product_extension<step_output_t<S>>());
    }
};

/// Keys that identify rather than configure a step in parameter files.
inline bool is_identity_key(std::string_view k) { return k == "name" || k == "class" || k == "config_file"; }

/// Apply a tree {param: value, ...} to a step config. `prefix` is how keys are
/// shown in errors ("steps.jump."). Unknown keys are errors naming key and source.
template <Step S>
void configure_step(StepConfig<S>& cfg, const ParamNode& tree, const std::string& prefix = {}) {
    using T = step_traits<S>;
    if (tree.is_null()) return;
    if (!tree.is_map())
        throw ParameterError(prefix.empty() ? std::string(T::name) : prefix.substr(0, prefix.size() - 1), tree.source(),
                             "expected a mapping of parameters");
    for (const auto& [key, value] : tree.children()) {
        const std::string shown = prefix + key;
        if (is_identity_key(key)) continue;
        if (set_param(cfg.params, key, value, shown) || set_param(cfg.settings, key, value, shown)) {
            cfg.explicit_values.set(key, value);
            continue;
        }
        if (key.rfind("override_", 0) == 0) {
            const std::string reftype = key.substr(9);
            const auto refs = T::reference_types();
            if (std::find(refs.begin(), refs.end(), reftype) != refs.end()) {
                auto v = from_node<std::optional<std::string>>(value, shown);
                if (v && !v->empty()) cfg.overrides[reftype] = *v;
                else cfg.overrides.erase(reftype);
                cfg.explicit_values.set(key, value);
                continue;
            }
        }
        if (key == "steps")
            throw ParameterError(shown, value.source(), "step '" + std::string(T::name) + "' is not a pipeline and has no child steps");
        std::vector<std::string> known;
        for (const auto& p : params_schema<typename S::Params>()) known.push_back(p.name);
        for (const auto& p : params_schema<StepSettings>()) known.push_back(p.name);
        for (const auto& r : T::reference_types()) known.push_back("override_" + std::string(r));
        throw UnknownParameterError(shown, value.source(), "unknown parameter for step '" + std::string(T::name) + "'" + did_you_mean(key, known));
    }
}

/// Every parameter's current value: own, built-in, override_<reftype>.
template <Step S>
ParamNode step_parameters(const StepConfig<S>& cfg) {
    ParamNode out = params_to_node(cfg.params);
    const ParamNode builtins = params_to_node(cfg.settings);
    for (const auto& [k, v] : builtins.children()) out.set(k, v);
    for (auto r : step_traits<S>::reference_types()) {
        auto it = cfg.overrides.find(std::string(r));
        out.set("override_" + std::string(r), it == cfg.overrides.end() ? ParamNode::null() : to_node(it->second));
    }
    return out;
}

/// Output namer for a product, as stpipe's save_model and _make_output_path name it: the
/// basename is the step's own output_file; or, with output_use_model (or when it sets none and
/// may not search), the file the product came from (`product_filename`; then without result
/// indices); else the enclosing pipeline's output_file (search_output_file); else the input's
/// name (or the product's); else "step_<name>". output_dir is the step's own or the pipeline's;
/// suffixes are stripped as known for the steps of `package`.
inline OutputNamer product_output_namer(const StepSettings& s, const RunInfo& run, const std::string& product_filename, const std::string& name,
                                        std::string_view package) {
    std::string basepath = s.output_file.value_or(std::string{});
    bool use_index = true;
    if (s.output_use_model || (basepath.empty() && !s.search_output_file)) {
        basepath = product_filename;
        use_index = false;
    }
    if (basepath.empty() && s.search_output_file) basepath = run.output_file;
    const std::string& input = run.input_filename.empty() ? product_filename : run.input_filename;
    OutputNamer namer = make_output_namer(basepath, input, s.output_dir.value_or(run.output_dir), s.output_ext, name, package);
    namer.set_use_index(use_index);
    return namer;
}

/// Names a further file the running step writes from `basepath` (a file name a parameter
/// gives, or the product's own), as stpipe's save_model(model, suffix, output_file=basepath)
/// does: its basename less a known suffix, in the step's output directory, with its output_ext.
inline OutputNamer further_product_namer(Context& ctx, const std::string& basepath) {
    const StepScope& s = ctx.step();
    return make_output_namer(basepath, ctx.run_info().input_filename, s.output_dir, s.output_ext, s.alias, class_package(s.class_name));
}

/// A further file named by `basepath` with no suffix (stpipe's make_output_path(basepath,
/// suffix=False)): its basename's stem with the step's output_ext, in the step's output directory.
inline std::filesystem::path further_file_path(Context& ctx, const std::string& basepath) {
    const StepScope& s = ctx.step();
    const std::filesystem::path base = std::filesystem::path(basepath).filename();
    const std::string ext = output_extension(s.output_ext, base);
    return OutputNamer(output_directory(s.output_dir), base.stem().string(), "_", ext).path("");
}

/// A step may save its results itself (`static std::vector<std::filesystem::path> save(const Out&,
/// const OutputNamer&, std::string_view suffix)`), as stpipe saves a step's several results
/// each with its index; otherwise product_traits<Out>::save does.
template <class S>
concept SavesOwnResults = requires(const step_output_t<S>& out, const OutputNamer& namer, std::string_view suffix) {
    { S::save(out, namer, suffix) } -> std::convertible_to<std::vector<std::filesystem::path>>;
};
template <class S>
inline constexpr bool step_results_saveable = SavesOwnResults<S> || Saveable<step_output_t<S>>;

template <class S>
    requires step_results_saveable<S>
std::vector<std::filesystem::path> save_step_results(const step_output_t<S>& out, const OutputNamer& namer, std::string_view suffix) {
    if constexpr (SavesOwnResults<S>) return S::save(out, namer, suffix);
    else return product_traits<step_output_t<S>>::save(out, namer, suffix);
}

namespace detail {
inline std::string with_step_prefix(std::string_view alias, const char* what) {
    const std::string prefix = "step '" + std::string(alias) + "'";
    std::string msg = what;
    if (msg.rfind(prefix, 0) == 0) return msg;
    return prefix + ": " + msg;
}

/// Makes a step scope current; when it ends (however), writes the scope's final
/// state back to `keep` (if given) and restores the enclosing scope.
class ScopeGuard {
public:
    ScopeGuard(Context& ctx, StepScope scope, StepScope* keep = nullptr)
        : ctx_(ctx), keep_(keep), previous_(ctx.enter_step(std::move(scope))) {}
    ~ScopeGuard() {
        StepScope mine = ctx_.leave_step(std::move(previous_));
        if (keep_) *keep_ = std::move(mine);
    }
    ScopeGuard(const ScopeGuard&) = delete;  // returned as a prvalue only (guaranteed elision)
    ScopeGuard& operator=(const ScopeGuard&) = delete;

private:
    Context& ctx_;
    StepScope* keep_;
    StepScope previous_;
};
}  // namespace detail

/// One step's run, in phases, shared by the plain runner below and the fused
/// row-block runner (fused.hpp): begin (event), then either skipped() or
/// completed(), or failed() on an error. Owns the step's scope in the context
/// only while `enter()`ed, so fused steps can take turns.
template <Step S>
class StepRun {
public:
    using T = step_traits<S>;
    using Out = step_output_t<S>;

    StepRun(const StepConfig<S>& cfg, Context& ctx)
        : cfg_(cfg),
          ctx_(ctx),
          scope_{std::string(T::name), std::string(T::class_name), cfg.overrides, StepStatus::not_set, {}, {},
                 cfg.settings.output_dir.value_or(ctx.run_info().output_dir), cfg.settings.output_ext} {
        event_.alias = scope_.alias;
        event_.class_name = scope_.class_name;
        event_.pipeline = ctx.run_info().pipeline_name;
        event_.index = ctx.run_info().step_index;
        event_.total = ctx.run_info().step_total;
        event_.started = std::chrono::steady_clock::now();
        event_.wall_start = std::chrono::system_clock::now();
        if (ctx.has_observers()) event_.parameters = cfg.explicit_values.to_string();
        ctx.notify(event_);
    }

    [[nodiscard]] const StepConfig<S>& config() const { return cfg_; }
    [[nodiscard]] const std::string& alias() const { return scope_.alias; }

    /// Make this step the context's current step until the guard ends.
    [[nodiscard]] detail::ScopeGuard enter() { return detail::ScopeGuard(ctx_, scope_, &scope_); }

    /// Skipped by configuration: hooks still run, status SKIPPED.
    template <class V>
    void skipped(V& value) {
        auto guard = enter();
        ctx_.info("Step " + alias() + " skipped.");
        run_hooks(cfg_.settings.pre_hooks, value, ctx_, alias(), "pre");
        record(value, StepStatus::skipped);
        run_hooks(cfg_.settings.post_hooks, value, ctx_, alias(), "post");
        finish(StepEvent::Kind::skip, StepStatus::skipped, "skip=True");
    }

    /// After process: status, post hooks, save_results, finish event.
    void completed(Out& out) {
        auto guard = enter();
        const StepStatus status = scope_.status == StepStatus::not_set ? StepStatus::complete : scope_.status;
        record(out, status);
        run_hooks(cfg_.settings.post_hooks, out, ctx_, alias(), "post");
        // As stpipe: a step that ran is saved even when it reported SKIPPED itself (only
        // skip=True, handled by skipped(), saves nothing).
        if (saves_results(cfg_.settings)) {
            if constexpr (step_results_saveable<S>) {
                // The instance name: the alias inside a pipeline; on its own, stpipe's name for it.
                const bool on_its_own = ctx_.run_info().pipeline_name.empty();
                const std::string name = !on_its_own                              ? alias()
                                         : ctx_.run_info().instance_name.empty() ? std::string(class_leaf(T::class_name))
                                                                                 : ctx_.run_info().instance_name;
                const std::string suffix = cfg_.settings.suffix.value_or(default_suffix(name));
                const OutputNamer namer =
                    product_output_namer(cfg_.settings, ctx_.run_info(), product_traits<Out>::filename(out), name, class_package(T::class_name));
                for (const auto& p : save_step_results<S>(out, namer, suffix)) {
                    event_.outputs.push_back(p.string());
                    ctx_.info("Saved model in " + p.string());
                }
            } else {
                throw ConfigError("step '" + alias() + "': save_results is set but " + type_name<Out>() + " cannot be saved");
            }
        }
        ctx_.info("Step " + alias() + " done");
        finish(status == StepStatus::skipped ? StepEvent::Kind::skip : StepEvent::Kind::finish, status, scope_.reason);
    }

    /// Translate an error: event, then an error of the same category naming the step.
    [[noreturn]] void failed() {
        try {
            throw;
        } catch (const Error& e) {
            finish(StepEvent::Kind::error, StepStatus::failed, e.what());
            throw Error(e.category(), detail::with_step_prefix(alias(), e.what()), e.cause());
        } catch (const std::exception& e) {
            finish(StepEvent::Kind::error, StepStatus::failed, e.what());
            throw StepError(detail::with_step_prefix(alias(), e.what()));
        }
    }

    /// In a fused run the wall time overlaps other steps: report the step's own time instead.
    void set_seconds(double s) { seconds_override_ = s; }

private:
    template <class V>
    void record(V& value, StepStatus status) {
        if constexpr (!T::status_key.empty()) product_traits<V>::record_status(value, T::status_key, status);
        for (const auto& ref : scope_.references) {
            auto eq = ref.find('=');
            product_traits<V>::record_reference(value, ref.substr(0, eq), ref.substr(eq + 1));
        }
    }
    void finish(StepEvent::Kind kind, StepStatus status, std::string message) {
        event_.kind = kind;
        event_.status = status;
        event_.message = std::move(message);
        event_.seconds = seconds_override_ >= 0 ? seconds_override_
                                                : std::chrono::duration<double>(std::chrono::steady_clock::now() - event_.started).count();
        event_.references = scope_.references;
        ctx_.notify(event_);
        ctx_.reference_uses_done(T::reference_types());
    }

    const StepConfig<S>& cfg_;
    Context& ctx_;
    StepScope scope_;
    StepEvent event_;
    double seconds_override_ = -1;
};

/// The reference types a step declares, one entry each (for Context::reference_run).
template <Step S>
void add_reference_uses(std::vector<std::string>& uses) {
    for (auto r : step_traits<S>::reference_types()) uses.emplace_back(r);
}

/// Run one configured step on its input. On its own (not inside a pipeline run) it is a
/// run of its own: with ReferenceRetention::until_last_use its references are released after it.
template <Step S>
step_output_t<S> run_step(const StepConfig<S>& cfg, step_input_t<S> input, Context& ctx) {
    using T = step_traits<S>;
    std::vector<std::string> uses;
    add_reference_uses<S>(uses);
    const auto references = ctx.reference_run(uses);
    StepRun<S> run(cfg, ctx);
    if (cfg.settings.skip) {
        if constexpr (std::is_same_v<step_input_t<S>, step_output_t<S>>) {
            run.skipped(input);
            return input;
        } else if constexpr (T::converts_when_skipped) {
            run.skipped(input);
            return S::when_skipped(std::move(input), ctx);
        } else {
            throw ConfigError("step '" + run.alias() + "' cannot be skipped: it turns " + type_name<step_input_t<S>>() + " into " +
                              type_name<step_output_t<S>>());
        }
    }
    try {
        step_output_t<S> out = [&] {
            auto guard = run.enter();
            ctx.info("Step " + run.alias() + " running with args (" + cfg.explicit_values.to_string() + ").");
            ctx.throw_if_cancelled();
            run_hooks(cfg.settings.pre_hooks, input, ctx, run.alias(), "pre");
            return step_process<S>(std::move(input), cfg.params, ctx);
        }();
        run.completed(out);
        return out;
    } catch (...) {
        run.failed();
    }
}

}  // namespace orrery
