// SPDX-License-Identifier: MIT
#include "test_registry.h"

#include <QCoreApplication>

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    return img2cad::test::runRegisteredTests(argc, argv);
}
