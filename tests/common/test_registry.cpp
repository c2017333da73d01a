// SPDX-License-Identifier: MIT
#include "test_registry.h"

#include <QCoreApplication>
#include <QTest>

#include <cstdio>
#include <vector>

namespace img2cad::test {

std::map<std::string, TestFactory>& testRegistry() {
    static std::map<std::string, TestFactory> registry;
    return registry;
}

int runRegisteredTests(int argc, char** argv) {
    std::vector<char*> qtArgs{argv[0]};
    std::vector<std::string> classes;
    for (int i = 1; i < argc; ++i) {
        if (argv[i][0] != '-' && testRegistry().count(argv[i]) && qtArgs.size() == 1)
            classes.emplace_back(argv[i]);
        else
            qtArgs.push_back(argv[i]);
    }
    if (argc > 1 && argv[1][0] != '-' && classes.empty()) {
        std::fprintf(stderr, "unknown test class '%s'; known:", argv[1]);
        for (const auto& [name, factory] : testRegistry())
            std::fprintf(stderr, " %s", name.c_str());
        std::fprintf(stderr, "\n");
        return 1;
    }
    if (classes.empty())
        for (const auto& [name, factory] : testRegistry())
            classes.push_back(name);
    int failed = 0;
    for (const std::string& name : classes) {
        std::unique_ptr<QObject> test = testRegistry().at(name)();
        if (QTest::qExec(test.get(), int(qtArgs.size()), qtArgs.data()) != 0) ++failed;
    }
    return failed;
}

} // namespace img2cad::test
