-- Media nodes announce themselves (each stream-service instance drives one and refreshes its row),
-- so any instance's Director can send a client to any cluster; accounts pick a default cluster.
create table media_node (
  id varchar(64) primary key,
  cluster_id varchar(64) not null,
  rtmp_url varchar(512) not null,
  hls_url varchar(512) not null,
  last_seen_at timestamptz not null
);
create index media_node_cluster on media_node (cluster_id, last_seen_at desc);

create table account_cluster (
  account_id varchar(64) primary key,
  default_cluster varchar(64) not null,
  updated_at timestamptz not null
);
