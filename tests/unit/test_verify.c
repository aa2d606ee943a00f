#include "config.h"
#include "unit.h"
CU_TestInfo verify_tests[] = { CU_TEST_INFO_NULL };
