// Parameter files: ASDF step_config (both layouts) and .cfg readers, includes,
// the ASDF writer (round trip), pars-* lookup and the precedence merge.

#include "hello_io.hpp"

#include "cli_test_steps.hpp"
#include "../support/temp_dir.hpp"

#include "orrery/stpipe/parameter_files.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using orrery::ParamNode;
namespace stpipe = orrery::stpipe;

namespace {

const fs::path real_params = fs::path(ORRERY_TEST_DATA_DIR) / "real" / "params";

/// A scratch directory per test case, removed with it.
struct TempDir {
    orrery::test::TempDir scratch{"orrery-params"};
    fs::path dir = scratch.path();
    fs::path write(const std::string& name, const std::string& text) const {
        auto p = dir / name;
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << text;
        return p;
    }
};

const ParamNode& at(const ParamNode& tree, const std::string& path) {
    const ParamNode* n = tree.find_path(path);
    INFO("path " << path << " in " << tree.to_string());
    REQUIRE(n != nullptr);
    return *n;
}

const std::string header = "#ASDF 1.0.0\n#ASDF_STANDARD 1.5.0\n%YAML 1.1\n%TAG ! tag:stsci.edu:asdf/\n--- !core/asdf-1.1.0\n";

}  // namespace

// ---- the real parameter files --------------------------------------------------------

TEST_CASE("real: flat_field.cfg", "[params][real]") {
    const auto f = (real_params / "flat_field.cfg").string();
    const ParamNode t = stpipe::load_parameter_file(f);
    CHECK(t.to_string() == "{threshold: 24.0, multiplier: 2.0}");
    CHECK(at(t, "threshold").source() == f + ":1");
    CHECK(at(t, "multiplier").source() == f + ":2");
    CHECK_FALSE(at(t, "threshold").quoted());
}

TEST_CASE("real: jwst_generic_pars-makeliststep_0001.asdf (legacy 0.1.0 layout)", "[params][real]") {
    const auto f = (real_params / "jwst_generic_pars-makeliststep_0001.asdf").string();
    const ParamNode t = stpipe::load_parameter_file(f);
    CHECK(t.to_string() == "{class: steps.MakeListStep, name: make_list, par1: 42.0, par2: Yes, a string}");
    CHECK(at(t, "par1").source() == f + ":29");
    CHECK(at(t, "par2").source() == f + ":30");
    CHECK(at(t, "par2").quoted());
    CHECK_FALSE(at(t, "par1").quoted());
    CHECK_FALSE(t.contains("meta"));  // file metadata is not a parameter
}

TEST_CASE("real: jwst_generic_pars-makeliststep_0002.asdf (nulls, booleans, empty lists)", "[params][real]") {
    const auto f = (real_params / "jwst_generic_pars-makeliststep_0002.asdf").string();
    const ParamNode t = stpipe::load_parameter_file(f);
    CHECK(t.to_string() ==
          "{class: steps.MakeListStep, name: jwst_generic_pars-makeliststep_0002, input_dir: , output_dir: None, output_ext: .fits, "
          "output_file: None, output_use_index: True, output_use_model: False, par1: 42.0, par2: Yes, a string, par3: False, "
          "post_hooks: [], pre_hooks: [], save_results: False, search_output_file: True, skip: False, suffix: None}");
    CHECK(at(t, "output_dir").is_null());
    CHECK(at(t, "input_dir").quoted());
    CHECK(at(t, "post_hooks").is_list());
    CHECK(at(t, "skip").source() == f + ":42");
}

TEST_CASE("real: jwst_generic_pars-tweakreg_0001.asdf (no name)", "[params][real]") {
    const auto f = (real_params / "jwst_generic_pars-tweakreg_0001.asdf").string();
    const ParamNode t = stpipe::load_parameter_file(f);
    CHECK(t.to_string() ==
          "{class: jwst.tweakreg.TweakRegStep, brightest: 100, catalog_format: ecsv, enforce_user_order: False, expand_refcat: False, "
          "fitgeometry: general, kernel_fwhm: 2.5, minobj: 15, nclip: 3, save_catalogs: False, searchrad: 1.0, separation: 0.5, "
          "sigma: 3.0, snr_threshold: 10.0, tolerance: 1.0, use2dhist: True, xoffset: 0.0, yoffset: 0.0}");
    CHECK(at(t, "brightest").source() == f + ":28");
    CHECK(at(t, "snr_threshold").source() == f + ":40");
}

TEST_CASE("real: makelist.cfg", "[params][real]") {
    const auto f = (real_params / "makelist.cfg").string();
    const ParamNode t = stpipe::load_parameter_file(f);
    CHECK(t.to_string() == "{name: make_list, class: steps.MakeListStep, par1: 43.0, par2: My hovercraft is full of eels.}");
    CHECK(at(t, "par2").quoted());
    CHECK(at(t, "par1").source() == f + ":4");
}

TEST_CASE("real: makelist_pipeline.cfg (config_file include)", "[params][real]") {
    const auto f = (real_params / "makelist_pipeline.cfg").string();
    const ParamNode raw = stpipe::read_parameter_file_raw(f);
    CHECK(raw.to_string() == "{name: foo_pipeline, class: steps.FooPipeline, steps: {make_list: {config_file: makelist.cfg}}}");
    const ParamNode t = stpipe::load_parameter_file(f);
    CHECK(t.to_string() ==
          "{name: foo_pipeline, class: steps.FooPipeline, steps: {make_list: {name: make_list, class: steps.MakeListStep, par1: 43.0, "
          "par2: My hovercraft is full of eels.}}}");
    CHECK(at(t, "steps.make_list.par1").source() == (real_params / "makelist.cfg").string() + ":4");
}

TEST_CASE("real: proper_pipeline.asdf (legacy steps dict)", "[params][real]") {
    const auto f = (real_params / "proper_pipeline.asdf").string();
    const ParamNode t = stpipe::load_parameter_file(f);
    CHECK(t.to_string() ==
          "{class: jwst.stpipe.tests.steps.ProperPipeline, name: ProperPipeline, steps: {withdefaultsstep: {name: withdefaultsstep, par1: "
          "newpar1}}}");
    CHECK(at(t, "steps.withdefaultsstep.par1").source() == f + ":11");
}

TEST_CASE("real: save_pipeline.cfg (empty and nested sections)", "[params][real]") {
    const auto f = (real_params / "save_pipeline.cfg").string();
    const ParamNode t = stpipe::load_parameter_file(f);
    CHECK(t.to_string() ==
          "{name: SavePipeline, class: jwst.stpipe.tests.steps.SavePipeline, steps: {stepwithmodel: {}, savestep: {skip: True, "
          "save_results: True}}}");
    CHECK(at(t, "steps.savestep.skip").source() == f + ":7");
    CHECK(at(t, "name").quoted());
}

// ---- ASDF reader -----------------------------------------------------------------------

TEST_CASE("asdf: step_config-1.0.0 with a steps list", "[params][asdf]") {
    const std::string text = header +
                             "class: clitest.TextPipeline\n"
                             "name: textproc\n"
                             "meta: {author: <SPECIFY>}\n"
                             "parameters:\n"
                             "  shout: yes\n"
                             "steps:\n"
                             "- class: clitest.RepeatStep\n"
                             "  name: repeat\n"
                             "  parameters:\n"
                             "    count: 3\n"
                             "    separator: 'null'\n"
                             "    scale: ~\n"
                             "    pattern: [1, 2]\n"
                             "    tolerance: .inf\n"
                             "- class: clitest.CheckStep\n"
                             "  name: check\n"
                             "  parameters: {}\n"
                             "...\n";
    const ParamNode t = stpipe::read_asdf_text(text, "p.asdf");
    CHECK(t.to_string() ==
          "{class: clitest.TextPipeline, name: textproc, shout: True, steps: {repeat: {class: clitest.RepeatStep, name: repeat, count: 3, "
          "separator: null, scale: None, pattern: [1, 2], tolerance: inf}, check: {class: clitest.CheckStep, name: check}}}");
    CHECK(at(t, "steps.repeat.separator").quoted());  // 'null' quoted is a string
    CHECK(at(t, "steps.repeat.scale").is_null());
    CHECK(at(t, "shout").source() == "p.asdf:10");
    CHECK(at(t, "steps.repeat.count").source() == "p.asdf:15");
    CHECK(at(t, "steps.repeat.pattern").items()[1].source() == "p.asdf:18");
}

TEST_CASE("asdf: steps as a mapping, and the legacy layout", "[params][asdf]") {
    ParamNode a = stpipe::read_asdf_text(
        "class: clitest.TextPipeline\nparameters: {shout: false}\nsteps:\n  repeat:\n    class: clitest.RepeatStep\n    parameters: {count: 2}\n"
        "  check: {fail_on: X}\n",
        "a.yaml");
    CHECK(a.to_string() ==
          "{class: clitest.TextPipeline, shout: False, steps: {repeat: {class: clitest.RepeatStep, name: repeat, count: 2}, check: {name: "
          "check, fail_on: X}}}");
    ParamNode b = stpipe::read_asdf_text(
        header + "parameters:\n  class: clitest.TextPipeline\n  name: textproc\n  shout: true\n  steps:\n    repeat: {count: 2}\n...\n", "b.asdf");
    CHECK(b.to_string() == "{class: clitest.TextPipeline, name: textproc, shout: True, steps: {repeat: {name: repeat, count: 2}}}");
}

TEST_CASE("asdf: errors name the file and line", "[params][asdf][errors]") {
    auto message = [](const std::string& text) {
        try {
            stpipe::read_asdf_text(text, "bad.asdf");
        } catch (const orrery::ConfigError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK_THAT(message("class: x\nparameters: {a: [1\n"), Catch::Matchers::StartsWith("parameter file bad.asdf:3: not valid YAML"));
    CHECK_THAT(message("just text\n"), Catch::Matchers::Contains("not an ASDF step_config document"));
    CHECK(message("class: x\nparameters: {}\nsteps:\n- parameters: {a: 1}\n") ==
          "parameter file bad.asdf:4: a 'steps' entry needs a 'name' (the step alias)");
    CHECK(message("class: x\nparameters: {a: 1, a: 2}\n") == "parameter file bad.asdf:2: key 'a' appears twice");
    CHECK(message("class: x\nbogus: 1\nparameters: {}\n") == "no error");  // unknown top-level keys are file metadata
    CHECK(message("class: x\nparameters: {}\nsteps:\n- name: a\n  params: {}\n  parameters: {}\n") ==
          "parameter file bad.asdf:5: unexpected key 'params' in steps entry (expected class, name, parameters, steps)");
}

TEST_CASE("asdf: a bad value is reported at its file:line when configured", "[params][asdf][errors]") {
    const ParamNode t = stpipe::read_asdf_text(header + "class: clitest.TextPipeline\nparameters: {}\nsteps:\n- name: repeat\n  parameters:\n"
                                                        "    count: 0\n...\n",
                                               "user.asdf");
    auto step = orrery::Registry::instance().create("textproc");
    try {
        step->configure(t);
        FAIL("expected a ParameterError");
    } catch (const orrery::ParameterError& e) {
        CHECK(std::string(e.what()) == "parameter 'steps.repeat.count' (from user.asdf:11): the value 0 is below the minimum 1.0");
        CHECK(e.source() == "user.asdf:11");
    }
}

// ---- cfg reader --------------------------------------------------------------------------

TEST_CASE("cfg: values, quoting, lists, comments, sections", "[params][cfg]") {
    const std::string text =
        "# a comment\n"
        "name = \"textproc\"   # trailing comment\n"
        "class = 'clitest.TextPipeline'\n"
        "empty =\n"
        "hashed = \"a # not a comment\"\n"
        "list = 1, 2,3\n"
        "one = 1500,\n"
        "none = ,\n"
        "quoted_list = 'a, b', c\n"
        "multi = '''line one\n"
        "line two'''\n"
        "\"quoted key\" = v\n"
        "[steps]\n"
        "  [[repeat]]\n"
        "    count = 2\n"
        "    [[[deeper]]]\n"
        "    x = 1\n"
        "  [[check]]\n"
        "  fail_on = None\n";
    const ParamNode t = stpipe::read_cfg_text(text, "t.cfg");
    CHECK(t.to_string() ==
          "{name: textproc, class: clitest.TextPipeline, empty: , hashed: a # not a comment, list: [1, 2, 3], one: [1500], none: [], "
          "quoted_list: [a, b, c], multi: line one\nline two, quoted key: v, steps: {repeat: {count: 2, deeper: {x: 1}}, check: {fail_on: "
          "None}}}");
    CHECK(at(t, "name").quoted());
    CHECK_FALSE(at(t, "list").items()[0].quoted());
    CHECK(at(t, "steps.repeat.count").source() == "t.cfg:15");
    CHECK(at(t, "multi").source() == "t.cfg:10");
    CHECK(at(t, "steps.check.fail_on").source() == "t.cfg:19");
}

TEST_CASE("cfg: syntax errors name the file and line", "[params][cfg][errors]") {
    auto message = [](const std::string& text) {
        try {
            stpipe::read_cfg_text(text, "bad.cfg");
        } catch (const orrery::ConfigError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(message("a = 1\na = 2\n") == "parameter file bad.cfg:2: key 'a' appears twice in the same section");
    CHECK(message("[steps\n") == "parameter file bad.cfg:1: section header without closing ']'");
    CHECK(message("[[steps]]\n") == "parameter file bad.cfg:1: section 'steps' is nested too deeply (2 brackets under a section of depth 0)");
    CHECK(message("[a]]\n") == "parameter file bad.cfg:1: section header has 1 '[' but 2 ']'");
    CHECK(message("x\n") == "parameter file bad.cfg:1: expected 'key = value' or a [section] header, got 'x'");
    CHECK(message("a = 'open\n") == "parameter file bad.cfg:1: unterminated quoted value");
    CHECK(message("a = 1,,2\n") == "parameter file bad.cfg:1: empty item in the list value");
    CHECK(message("a = '''never\nclosed\n") == "parameter file bad.cfg:2: unterminated ''' value for 'a'");
}

TEST_CASE("format detection: ASDF first, then configobj", "[params]") {
    TempDir tmp;
    const auto yaml_no_ext = tmp.write("p1", "class: a.B\nparameters: {x: 1}\n");
    CHECK(stpipe::load_parameter_file(yaml_no_ext).to_string() == "{class: a.B, x: 1}");
    const auto cfg_no_ext = tmp.write("p2", "class = a.B\nx = 1\n");
    CHECK(stpipe::load_parameter_file(cfg_no_ext).to_string() == "{class: a.B, x: 1}");
    const auto cfg_ini_sections = tmp.write("p3", "x = 1\n[steps]\n[[a]]\ny = 2\n");
    CHECK(stpipe::load_parameter_file(cfg_ini_sections).to_string() == "{x: 1, steps: {a: {y: 2}}}");
    CHECK_THROWS_WITH(stpipe::load_parameter_file(tmp.dir / "absent.asdf"), Catch::Matchers::Contains("absent.asdf: no such file"));
}

TEST_CASE("config_file includes: relative to the including file; inline values win; cycles are errors", "[params][include]") {
    TempDir tmp;
    tmp.write("sub/repeat.asdf", header + "class: clitest.RepeatStep\nname: repeat\nparameters: {count: 2, separator: '-'}\n...\n");
    tmp.write("sub/pipe.cfg", "class = clitest.TextPipeline\n[steps]\n[[repeat]]\nconfig_file = repeat.asdf\ncount = 4\n");
    tmp.write("top.asdf", header + "class: clitest.TextPipeline\nname: textproc\nparameters:\n  config_file: sub/pipe.cfg\n  shout: true\n...\n");
    const ParamNode t = stpipe::load_parameter_file(tmp.dir / "top.asdf");
    CHECK(t.to_string() ==
          "{class: clitest.TextPipeline, steps: {repeat: {class: clitest.RepeatStep, name: repeat, count: 4, separator: -}}, name: textproc, "
          "shout: True}");
    CHECK(at(t, "steps.repeat.separator").source() == (tmp.dir / "sub/repeat.asdf").string() + ":8");
    CHECK(at(t, "steps.repeat.count").source() == (tmp.dir / "sub/pipe.cfg").string() + ":5");

    tmp.write("a.cfg", "config_file = b.cfg\nx = 1\n");
    tmp.write("b.cfg", "config_file = a.cfg\n");
    CHECK_THROWS_WITH(stpipe::load_parameter_file(tmp.dir / "a.cfg"), Catch::Matchers::Contains("config_file include cycle (a.cfg -> b.cfg -> a.cfg)"));
    tmp.write("c.cfg", "[steps]\n[[repeat]]\nconfig_file = missing.cfg\n");
    CHECK_THROWS_WITH(stpipe::load_parameter_file(tmp.dir / "c.cfg"),
                      Catch::Matchers::Contains("parameter 'config_file' (from " + (tmp.dir / "c.cfg").string() + ":3): the included file"));
}

// ---- writer ------------------------------------------------------------------------------

TEST_CASE("writer: scalar rendering", "[params][writer]") {
    using stpipe::detail::yaml_number;
    CHECK(yaml_number("1") == "1");
    CHECK(yaml_number("-3") == "-3");
    CHECK(yaml_number("2.5") == "2.5");
    CHECK(yaml_number("1e+20") == "1.0e+20");
    CHECK(yaml_number("1e-05") == "1.0e-05");
    CHECK(yaml_number(".5") == "0.5");
    CHECK(yaml_number("nan") == ".nan");
    CHECK(yaml_number("-inf") == "-.inf");
    CHECK(yaml_number("12abc").empty());
    CHECK(yaml_number("1.2.3").empty());
    // Each value as yaml-cpp's emitter writes it, with YAML 1.1 (PyYAML) quoting decided here.
    stpipe::StepConfigDoc doc;
    doc.class_name = "x.Y";
    doc.name = "y";
    auto& p = doc.parameters;
    p.set("b", ParamNode::scalar("True"));
    p.set("nul", ParamNode::null());
    p.set("word", ParamNode::scalar("yes", {}, true));
    p.set("empty", ParamNode::scalar("", {}, true));
    p.set("quote", ParamNode::scalar("it's", {}, true));
    p.set("newline", ParamNode::scalar("a\nb", {}, true));
    p.set("plain", ParamNode::scalar("plain_word.v2", {}, true));
    p.set("digits", ParamNode::scalar("42", {}, true));
    p.set("num", ParamNode::scalar("1e+20"));
    p.set("list", ParamNode::list({ParamNode::scalar("a", {}, true), ParamNode::scalar("b c", {}, true)}));
    p.set("nothing", ParamNode::list());
    p.set("on", ParamNode::scalar("1"));  // a YAML 1.1 boolean as a key
    const std::string text = stpipe::to_asdf(doc, false);
    CHECK_THAT(text, Catch::Matchers::Contains("\nparameters:\n  b: true\n  nul: null\n  word: 'yes'\n  empty: ''\n  quote: 'it''s'\n"
                                               "  newline: \"a\\nb\"\n  plain: plain_word.v2\n  digits: '42'\n  num: 1.0e+20\n"
                                               "  list: [a, 'b c']\n  nothing: []\n  'on': 1\n...\n"));
}

TEST_CASE("writer: the stpipe layout with a CRDS meta template", "[params][writer]") {
    auto step = orrery::Registry::instance().create("hello");
    orrery::Context ctx;
    const std::string text = stpipe::to_asdf(stpipe::export_config(*step, ctx));
    CHECK(text.rfind(header, 0) == 0);
    CHECK_THAT(text, Catch::Matchers::Contains("\nclass: hello.HelloPipeline\nmeta:\n  author: <SPECIFY>\n  date: '"));
    // name: as stpipe, the instance's name (its class's last component unless a parameter file named it).
    CHECK_THAT(text, Catch::Matchers::Contains("  description: 'Parameters for calibration step hello.HelloPipeline'\n"
                                               "  instrument:\n    name: <SPECIFY>\n  origin: <SPECIFY>\n  pedigree: <SPECIFY>\n"
                                               "  reftype: <SPECIFY>\n  telescope: <SPECIFY>\n  useafter: <SPECIFY>\nname: HelloPipeline\nparameters:\n"
                                               "  skip: false\n"));
    CHECK_THAT(text, Catch::Matchers::Contains("\nsteps:\n- class: hello.Tokenize\n  name: tokenize\n  parameters:\n"
                                               "    separators: \" \\t\\n.,;:!?\"\n"));
    CHECK_THAT(text, Catch::Matchers::Contains("- class: hello.Lowercase\n  name: lowercase\n  parameters:\n    skip: false\n"));
    // The hello products declare no extension (they take their input's): an empty string, quoted.
    CHECK_THAT(text, Catch::Matchers::Contains("    output_ext: ''\n"));
    CHECK_THAT(text, Catch::Matchers::Contains("    ignore: []\n"));
    CHECK(text.substr(text.size() - 4) == "...\n");
    const std::string no_meta = stpipe::to_asdf(stpipe::export_config(*step, ctx), false);
    CHECK(no_meta.find("meta:") == std::string::npos);
}

TEST_CASE("writer: round trip — load back gives the identical merged tree", "[params][writer][roundtrip]") {
    orrery::Context ctx;
    for (const std::string name : {"textproc", "hello", "repeat", "stamp", "tokenize"}) {
        INFO(name);
        auto step = orrery::Registry::instance().create(name);
        // Non-default values of every kind, through the same path a user takes.
        ParamNode cli = ParamNode::map();
        if (name == "textproc") {
            cli.set_path("shout", ParamNode::scalar("yes"));
            cli.set_path("output_dir", ParamNode::scalar("out dir/x"));
            cli.set_path("steps.repeat.count", ParamNode::scalar("7"));
            cli.set_path("steps.repeat.separator", ParamNode::scalar("it's: a \"test\"\n\t"));
            cli.set_path("steps.repeat.scale", ParamNode::scalar("1e-300"));
            cli.set_path("steps.repeat.pattern", ParamNode::scalar("1,-2,3"));
            cli.set_path("steps.repeat.tolerance", ParamNode::scalar("2.5e+17"));
            cli.set_path("steps.stamp.override_stamp", ParamNode::scalar("N/A"));
            cli.set_path("steps.check.pre_hooks", ParamNode::scalar("a b,c.d"));
            cli.set_path("steps.upper.skip", ParamNode::scalar("false"));
        } else if (name == "repeat") {
            cli.set_path("mode", ParamNode::scalar("loud"));
            cli.set_path("scale", ParamNode::scalar("-0.0"));
            cli.set_path("suffix", ParamNode::scalar(""));
        } else if (name == "tokenize") {
            cli.set_path("separators", ParamNode::scalar("true"));
        }
        step->configure(cli);
        const stpipe::StepConfigDoc doc = stpipe::export_config(*step, ctx);
        const ParamNode before = stpipe::to_tree(doc);

        TempDir tmp;
        const auto file = tmp.dir / "saved.asdf";
        stpipe::write_asdf_file(doc, file);
        const ParamNode after = stpipe::load_parameter_file(file);
        CHECK(after.to_string() == before.to_string());
        CHECK(after.same_values(before));

        // Configuring a fresh instance from the file reproduces every value.
        auto fresh = orrery::Registry::instance().create(name);
        fresh->configure(after);
        CHECK(fresh->parameters().to_string() == step->parameters().to_string());
        CHECK(fresh->parameters().same_values(step->parameters()));
    }
}

TEST_CASE("writer: stpipe-written files round-trip (read, write, read) and keep the ASDF structure", "[params][writer][roundtrip]") {
    for (const char* name : {"jwst_generic_pars-makeliststep_0002.asdf", "jwst_generic_pars-tweakreg_0001.asdf", "proper_pipeline.asdf"}) {
        INFO(name);
        const fs::path file = real_params / name;
        const std::string original = stpipe::read_text_file(file);
        const ParamNode before = stpipe::read_asdf_text(original, file.string());
        const std::string text = stpipe::to_asdf(stpipe::read_step_config(stpipe::parse_yaml(original, file.string()), file.string()));
        const ParamNode after = stpipe::read_asdf_text(text, "written");
        CHECK(after.to_string() == before.to_string());
        CHECK(after.same_values(before));

        // What asdf's reader checks: the ASDF header, the %TAG, the tagged asdf-1.1.0 root with
        // asdf_library and history in the core schemas, and the document end marker.
        CHECK(text.rfind(header, 0) == 0);
        CHECK(text.substr(text.size() - 4) == "...\n");
        const YAML::Node root = YAML::Load(text.substr(text.find("%YAML")));
        CHECK(root.Tag() == "tag:stsci.edu:asdf/core/asdf-1.1.0");
        CHECK(root["asdf_library"].Tag() == "tag:stsci.edu:asdf/core/software-1.0.0");
        CHECK(root["asdf_library"]["name"].as<std::string>() == "orrery");
        CHECK(root["history"]["entries"][0].Tag() == "tag:stsci.edu:asdf/core/history_entry-1.0.0");
        CHECK(root["history"]["entries"][0]["description"].IsScalar());
        CHECK(root["meta"]["author"].as<std::string>() == "<SPECIFY>");
        CHECK(root["class"].as<std::string>() == before.find("class")->text());
    }
}

// ---- pars-* files and precedence ---------------------------------------------------------------

TEST_CASE("pars files: reftype names and CRDS-style file names", "[params][precedence]") {
    CHECK(stpipe::pars_reftype("jwst.jump.JumpStep") == "pars-jumpstep");
    CHECK(stpipe::pars_reftype("Detector1Pipeline") == "pars-detector1pipeline");
    TempDir tmp;
    CHECK_FALSE(stpipe::find_pars_file(tmp.dir, "clitest.RepeatStep"));
    tmp.write("jwst_nircam_pars-repeatstep_0001.asdf", "x");
    tmp.write("jwst_nircam_pars-repeatstep_0042.asdf", "x");
    tmp.write("jwst_nircam_pars-repeatstepx_0099.asdf", "x");  // another class
    tmp.write("pars-repeatstep_v2.asdf", "x");                 // not a serial number
    CHECK(stpipe::find_pars_file(tmp.dir, "clitest.RepeatStep")->filename() == "jwst_nircam_pars-repeatstep_0042.asdf");
    tmp.write("pars-repeatstep.cfg", "x");
    CHECK(stpipe::find_pars_file(tmp.dir, "clitest.RepeatStep")->filename() == "pars-repeatstep.cfg");
    tmp.write("pars-repeatstep.asdf", "x");
    CHECK(stpipe::find_pars_file(tmp.dir, "clitest.RepeatStep")->filename() == "pars-repeatstep.asdf");
}

TEST_CASE("precedence: defaults < child pars < pipeline pars < user file < command line", "[params][precedence]") {
    TempDir tmp;
    tmp.write("refs/pars-repeatstep.asdf", header + "parameters:\n  class: clitest.RepeatStep\n  count: 2\n  separator: '+'\n  mode: loud\n...\n");
    tmp.write("refs/pars-textpipeline.asdf", header + "parameters:\n  class: clitest.TextPipeline\n  steps:\n    repeat: {separator: '*'}\n...\n");
    tmp.write("user.cfg", "class = clitest.TextPipeline\n[steps]\n[[repeat]]\ncount = 3\nseparator = '~'\n");
    orrery::Context ctx;
    auto step = orrery::Registry::instance().create("textproc");
    stpipe::ParameterSources src;
    auto value = [&](const ParamNode& t, const std::string& p) { return at(t, p).text() + " @ " + at(t, p).source(); };

    src.reference_dir = tmp.dir / "refs";
    std::vector<fs::path> used;
    ParamNode t = stpipe::merged_parameters(*step, src, ctx, &used);
    REQUIRE(used.size() == 2);
    CHECK(used[0].filename() == "pars-repeatstep.asdf");  // the child's first, then the pipeline's
    CHECK(value(t, "steps.repeat.count") == "2 @ " + (tmp.dir / "refs/pars-repeatstep.asdf").string() + ":8");
    CHECK(value(t, "steps.repeat.separator") == "* @ " + (tmp.dir / "refs/pars-textpipeline.asdf").string() + ":9");

    src.user_file = stpipe::load_parameter_file(tmp.dir / "user.cfg");
    t = stpipe::merged_parameters(*step, src, ctx);
    CHECK(value(t, "steps.repeat.count") == "3 @ " + (tmp.dir / "user.cfg").string() + ":4");
    CHECK(value(t, "steps.repeat.separator") == "~ @ " + (tmp.dir / "user.cfg").string() + ":5");
    CHECK(value(t, "steps.repeat.mode") == "loud @ " + (tmp.dir / "refs/pars-repeatstep.asdf").string() + ":10");

    src.command_line = ParamNode::map();
    src.command_line.set_path("steps.repeat.count", ParamNode::scalar("4", "--steps.repeat.count"));
    t = stpipe::merged_parameters(*step, src, ctx);
    CHECK(value(t, "steps.repeat.count") == "4 @ --steps.repeat.count");
    CHECK(value(t, "steps.repeat.separator") == "~ @ " + (tmp.dir / "user.cfg").string() + ":5");

    step->configure(t);
    const ParamNode p = step->parameters();
    CHECK(at(p, "steps.repeat.count").text() == "4");
    CHECK(at(p, "steps.repeat.separator").text() == "~");
    CHECK(at(p, "steps.repeat.mode").text() == "loud");
    CHECK(at(p, "steps.check.fail_on").text() == "FAIL");  // code default

    // A standalone step reads only its own pars file.
    auto single = orrery::Registry::instance().create("repeat");
    stpipe::ParameterSources only_refs;
    only_refs.reference_dir = tmp.dir / "refs";
    CHECK(stpipe::merged_parameters(*single, only_refs, ctx).to_string() == "{count: 2, separator: +, mode: loud}");
}

TEST_CASE("pars files in the reference directory may not ask for shell-command hooks", "[params][precedence][hooks]") {
    TempDir tmp;
    const fs::path child = tmp.write("refs/pars-repeatstep.asdf", header + "parameters:\n  class: clitest.RepeatStep\n  count: 2\n"
                                                                             "  post_hooks: [clitest.UpperStep, 'touch x']\n...\n");
    orrery::Context ctx;
    auto step = orrery::Registry::instance().create("textproc");
    stpipe::ParameterSources src;
    src.reference_dir = tmp.dir / "refs";
    // Refused, naming the file, the entry and where it is written.
    CHECK_THROWS_AS(stpipe::merged_parameters(*step, src, ctx), orrery::ConfigError);
    CHECK_THROWS_WITH(stpipe::merged_parameters(*step, src, ctx),
                      Catch::StartsWith("parameter reference file " + child.string() + " asks to run the shell command 'touch x' (post_hooks, " +
                                        child.string() + ":9)") &&
                          Catch::Contains("--allow-reference-hooks"));
    // The same in the pipeline's own pars file, under steps.<alias>.
    tmp.write("refs/pars-repeatstep.asdf", header + "parameters:\n  class: clitest.RepeatStep\n  count: 2\n...\n");
    const fs::path parent = tmp.write("refs/pars-textpipeline.asdf", header + "parameters:\n  class: clitest.TextPipeline\n  steps:\n"
                                                                                 "    check: {pre_hooks: 'echo hi'}\n...\n");
    CHECK_THROWS_WITH(stpipe::merged_parameters(*step, src, ctx),
                      Catch::Contains(parent.string() + " asks to run the shell command 'echo hi' (steps.check.pre_hooks"));
    // Opted in: kept, with its source.
    src.allow_reference_hooks = true;
    CHECK(at(stpipe::merged_parameters(*step, src, ctx), "steps.check.pre_hooks").source() == parent.string() + ":9");
    // Registered steps and hook functions are code already linked in: allowed.
    src.allow_reference_hooks = false;
    tmp.write("refs/pars-textpipeline.asdf", header + "parameters:\n  class: clitest.TextPipeline\n  steps:\n"
                                                    "    check: {pre_hooks: [clitest.UpperStep, 'repeat(count=2)']}\n...\n");
    CHECK(at(stpipe::merged_parameters(*step, src, ctx), "steps.check.pre_hooks").items().size() == 2);
    // The user's own file and the command line may ask for shell commands.
    src.user_file = ParamNode::map("user.asdf");
    src.user_file.set_path("steps.check.post_hooks", ParamNode::scalar("echo user", "user.asdf:3"));
    src.command_line = ParamNode::map();
    src.command_line.set_path("steps.repeat.post_hooks", ParamNode::scalar("echo cli", "--steps.repeat.post_hooks"));
    const ParamNode t = stpipe::merged_parameters(*step, src, ctx);
    CHECK(at(t, "steps.check.post_hooks").text() == "echo user");
    CHECK(at(t, "steps.repeat.post_hooks").text() == "echo cli");
}
