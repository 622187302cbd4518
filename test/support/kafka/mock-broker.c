/*
 * A Kafka-protocol broker for the tests, from librdkafka's mock cluster (Debian: librdkafka-dev).
 *
 * Usage: mock-broker <brokers> <topic>:<partitions> [...]
 * Prints "BOOTSTRAP <host:port,...>" once the cluster listens, then reads commands on stdin, one per line:
 *   down <broker-id>     disconnect a broker and refuse new connections (ids start at 1)
 *   up <broker-id>       accept connections again
 *   topic <name> <n>     create a topic with n partitions
 * and answers each with "OK" or "ERR <reason>". It exits when stdin closes.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reply(rd_kafka_resp_err_t err) {
  if (err) printf("ERR %s\n", rd_kafka_err2str(err));
  else printf("OK\n");
  fflush(stdout);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s <brokers> [topic:partitions ...]\n", argv[0]);
    return 2;
  }
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    fprintf(stderr, "rd_kafka_new: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(rk, atoi(argv[1]));
  if (!cluster) {
    fprintf(stderr, "could not start the mock cluster\n");
    return 1;
  }
  for (int i = 2; i < argc; i++) {
    char *spec = strdup(argv[i]);
    char *colon = strrchr(spec, ':');
    int partitions = colon ? atoi(colon + 1) : 1;
    if (colon) *colon = '\0';
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, spec, partitions, 1);
    if (err) fprintf(stderr, "topic %s: %s\n", spec, rd_kafka_err2str(err));
    free(spec);
  }
  printf("BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  fflush(stdout);

  char line[512], name[256];
  int a;
  while (fgets(line, sizeof line, stdin)) {
    if (sscanf(line, "down %d", &a) == 1) reply(rd_kafka_mock_broker_set_down(cluster, a));
    else if (sscanf(line, "up %d", &a) == 1) reply(rd_kafka_mock_broker_set_up(cluster, a));
    else if (sscanf(line, "topic %255s %d", name, &a) == 2) reply(rd_kafka_mock_topic_create(cluster, name, a, 1));
    else {
      printf("ERR unknown command\n");
      fflush(stdout);
    }
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
