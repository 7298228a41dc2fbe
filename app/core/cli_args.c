#include "cli_args.h"

#include <stdio.h>
#include <string.h>

int
cli_load_config(struct cfg *c, int argc, char **argv, int *next, char *err, size_t errlen)
{
	const char *config = NULL;
	int i;

	/* --config first: flags override the file whatever their order */
	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0 && argv[i][2] != '\0'; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			config = argv[i + 1];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			config = argv[i] + 9;
		if (strchr(argv[i], '=') == NULL)
			i++;    /* "--key value": skip the value */
	}
	if (cfg_load(c, config, err, errlen) != 0)
		return -1;
	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		char key[64], origin[80];
		const char *name = argv[i] + 2, *eq = strchr(name, '='), *value;
		size_t n = eq ? (size_t)(eq - name) : strlen(name);

		if (n == 0) {           /* "--" ends the flags */
			i++;
			break;
		}
		if (n >= sizeof(key)) {
			snprintf(err, errlen, "%s: unknown flag", argv[i]);
			return -1;
		}
		for (size_t k = 0; k < n; k++)
			key[k] = name[k] == '-' ? '_' : name[k];
		key[n] = '\0';
		if (eq)
			value = eq + 1;
		else if (i + 1 < argc)
			value = argv[++i];
		else {
			snprintf(err, errlen, "--%s needs a value", key);
			return -1;
		}
		if (strcmp(key, "config") == 0)
			continue;
		snprintf(origin, sizeof(origin), "--%.*s", (int)n, name);
		if (cfg_set(c, key, value, origin, err, errlen) != 0)
			return -1;
	}
	*next = i;
	return 0;
}
