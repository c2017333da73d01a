// SPDX-License-Identifier: MIT
#include "cad/compiler.h"
