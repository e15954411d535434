# Conan 2 recipe for orrery (header-only), following conan-center conventions.
from conan import ConanFile
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy, rmdir
import os


class OrreryConan(ConanFile):
    name = "orrery"
    version = "0.1.0"
    description = "Header-only C++20 framework for type-checked staged pipelines, with a JWST detector1 plug-in layer"
    license = "BSD-3-Clause"
    url = "https://example.invalid/orrery"
    topics = ("pipeline", "header-only", "astronomy", "jwst")
    # The layers are headers; orrery::cli (the strun-compatible command line a user
    # links their own steps into) is the one compiled component. Without it
    # (with_cli=False) the package is headers only and its id ignores the settings.
    package_type = "static-library"
    settings = "os", "arch", "compiler", "build_type"
    options = {"with_cli": [True, False], "fPIC": [True, False]}
    default_options = {"with_cli": True, "fPIC": True}

    def export_sources(self):
        # The recipe lives in conan/ of the source tree: export the tree above it.
        root = os.path.join(self.recipe_folder, "..")
        for pattern in ("include/*", "src/*", "cmake/*", "CMakeLists.txt", "LICENSE"):
            copy(self, pattern, src=root, dst=self.export_sources_folder)

    def configure(self):
        if not self.options.with_cli:
            self.package_type = "header-library"
            self.options.rm_safe("fPIC")

    def requirements(self):
        self.requires("boost/1.83.0", options={"header_only": True})
        self.requires("cfitsio/4.3.1")
        self.requires("onetbb/2021.10.0")
        self.requires("yaml-cpp/0.8.0")
        # The workflow layer (stage-graph files): JSON values, JSON Schema, the http adapter.
        self.requires("nlohmann_json/3.11.2")
        self.requires("valijson/1.0")
        self.requires("cpp-httplib/0.11.4")

    def layout(self):
        cmake_layout(self)

    def package_id(self):
        if not self.info.options.with_cli:
            self.info.clear()

    def generate(self):
        toolchain = CMakeToolchain(self)
        for option in ("TESTS", "EXAMPLES", "BENCH", "TOOLS"):
            toolchain.cache_variables[f"ORRERY_BUILD_{option}"] = False
        toolchain.cache_variables["ORRERY_BUILD_CLI"] = bool(self.options.with_cli)
        toolchain.generate()
        CMakeDeps(self).generate()

    def build(self):
        if self.options.with_cli:
            cmake = CMake(self)
            cmake.configure()
            cmake.build(target="orrery_cli")

    def package(self):
        copy(self, "LICENSE", src=self.source_folder, dst=os.path.join(self.package_folder, "licenses"))
        if self.options.with_cli:
            CMake(self).install()  # headers and the static library
            rmdir(self, os.path.join(self.package_folder, "share"))  # CMakeDeps writes the package config
        else:
            copy(self, "*.hpp", src=os.path.join(self.source_folder, "include"), dst=os.path.join(self.package_folder, "include"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "orrery")
        self.cpp_info.bindirs = []
        # One component per layer, each with only its own dependencies (docs/layers.md).
        layers = {
            "core": ["boost::headers"],
            "stpipe": ["core", "yaml-cpp::yaml-cpp"],
            "array": ["core", "cfitsio::cfitsio"],
            "parallel": ["core", "onetbb::onetbb"],
            "graph": ["core", "onetbb::onetbb"],
            "workflow": ["graph", "yaml-cpp::yaml-cpp", "nlohmann_json::nlohmann_json", "valijson::valijson", "cpp-httplib::cpp-httplib"],
            "jwst": ["stpipe", "array", "parallel"],
            "orrery": ["core", "stpipe", "array", "parallel", "graph", "workflow", "jwst"],
        }
        if self.options.with_cli:
            layers["cli"] = ["core", "stpipe", "parallel", "workflow"]
        for name, requires in layers.items():
            component = self.cpp_info.components[name]
            component.set_property("cmake_target_name", f"orrery::{name}")
            component.requires = requires
            component.libdirs = []
        if self.options.with_cli:
            cli = self.cpp_info.components["cli"]
            cli.libs = ["orrery_cli"]
            cli.libdirs = ["lib"]
            cli.requires.append("nlohmann_json::nlohmann_json")
