// SPDX-License-Identifier: MIT
#include "cad/atomic_file.h"
