// SPDX-License-Identifier: MIT
#include "viewer/offscreen_renderer.h"
