#include "auth.h"

#include <string.h>

static const char *const role_names[] = { "", "viewer", "admin", "owner" };

const char *
role_name(int role)
{
	return role > ROLE_NONE && role <= ROLE_OWNER ? role_names[role] : "";
}

int
role_parse(const char *name)
{
	for (int r = ROLE_VIEWER; name != NULL && r <= ROLE_OWNER; r++)
		if (strcmp(name, role_names[r]) == 0)
			return r;
	return ROLE_NONE;
}
