// SPDX-License-Identifier: MIT
#include "cad/generator/part_generator.h"
