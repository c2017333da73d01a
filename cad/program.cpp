// SPDX-License-Identifier: MIT
#include "cad/program.h"
