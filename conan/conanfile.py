# Conan 2 recipe for orrery (header-only), following conan-center conventions.
from conan import ConanFile
from conan.tools.cmake import CMake, cmake_layout
from conan.tools.files import copy
import os


class OrreryConan(ConanFile):
    name = "orrery"
    version = "0.1.0"
    description = "Header-only C++20 framework for type-checked staged pipelines, with a JWST detector1 plug-in layer"
    license = "BSD-3-Clause"
    url = "https://example.invalid/orrery"
    topics = ("pipeline", "header-only", "astronomy", "jwst")
    package_type = "header-library"
    settings = "os", "arch", "compiler", "build_type"
    exports_sources = "../include/*", "../CMakeLists.txt", "../cmake/*", "../LICENSE"
    no_copy_source = True

    def requirements(self):
        self.requires("boost/1.83.0", options={"header_only": True})
        self.requires("eigen/3.4.0")
        self.requires("ccfits/2.6")
        self.requires("cfitsio/4.3.1")
        self.requires("onetbb/2021.10.0")
        self.requires("yaml-cpp/0.8.0")

    def layout(self):
        cmake_layout(self)

    def package_id(self):
        self.info.clear()

    def package(self):
        copy(self, "LICENSE", src=os.path.join(self.source_folder, ".."), dst=os.path.join(self.package_folder, "licenses"))
        copy(self, "*.hpp", src=os.path.join(self.source_folder, "..", "include"), dst=os.path.join(self.package_folder, "include"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "orrery")
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []
        # One component per layer, each with only its own dependencies (docs/layers.md).
        layers = {
            "core": ["boost::headers"],
            "stpipe": ["core", "yaml-cpp::yaml-cpp"],
            "array": ["core", "eigen::eigen", "ccfits::ccfits", "cfitsio::cfitsio"],
            "parallel": ["core", "onetbb::onetbb"],
            "jwst": ["stpipe", "array", "parallel"],
            "orrery": ["core", "stpipe", "array", "parallel", "jwst"],
        }
        for name, requires in layers.items():
            self.cpp_info.components[name].set_property("cmake_target_name", f"orrery::{name}")
            self.cpp_info.components[name].requires = requires
