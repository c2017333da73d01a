// SPDX-License-Identifier: MIT
#pragma once
// One QtTest executable per layer holds several test classes. Each class registers itself
// here; `test_<layer> ClassName [QtTest args]` runs one class (CTest adds one test per class),
// and no argument runs them all.

#include <QObject>

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace img2cad::test {

using TestFactory = std::function<std::unique_ptr<QObject>()>;

std::map<std::string, TestFactory>& testRegistry();

template <typename T> struct TestRegistrar {
    explicit TestRegistrar(const char* name) {
        testRegistry()[name] = [] { return std::make_unique<T>(); };
    }
};

/// Runs the registered classes as described above; returns the number of failed classes
/// (or 1 for an unknown class name).
int runRegisteredTests(int argc, char** argv);

} // namespace img2cad::test

#define IMG2CAD_REGISTER_TEST(Class)                                                               \
    static const ::img2cad::test::TestRegistrar<Class> s_registrar_##Class(#Class);
