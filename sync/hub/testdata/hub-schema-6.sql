-- A hub database at schema 6, made by the hub before its numbered
-- migrations owned every table (dumped with sqlite3 .dump, its schema
-- version added at the end). The dashboard had made its users and
-- sessions tables itself when the hub opened, and the hub its report
-- index and rollup, whose triggers it then gave the batch condition.
--
-- It holds two organizations; three devices; twelve activities of the
-- first organization (one edited, one deleted, one with a conflict on its
-- title between two devices) and five of the second with a comment and a
-- resource; a coordinator "coord" (password "coordinator-password") and an
-- orgadmin "admin-a" of the first organization (password
-- "orgadmin-password"); and coord's session, signed in at 2026-03-02
-- 09:00 UTC for twelve hours.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;
INSERT INTO meta VALUES('enroll_code_key','cbddd15246f485ca2bece5d6490f109233826b9c74c236b9ad58679c56f9b228');
INSERT INTO meta VALUES('file_refs_indexed','1');
INSERT INTO meta VALUES('epoch','311ed2c1534d3226');
INSERT INTO meta VALUES('seq','25');
CREATE TABLE orgs (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	country    TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;
INSERT INTO orgs VALUES('01a23cc6-dc31-7198-b04f-e97032e6e2da','Org One','MW','2026-03-02T09:00:00Z');
INSERT INTO orgs VALUES('01a23cc6-dc31-7597-9e0a-efeb52324341','Org Two','KE','2026-03-02T09:00:00Z');
CREATE TABLE enroll_codes (
	hash       TEXT PRIMARY KEY,
	org_id     TEXT NOT NULL REFERENCES orgs (id),
	role       TEXT NOT NULL CHECK (role IN ('staff', 'admin')),
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	used_at    TEXT NOT NULL DEFAULT '',
	used_by    TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO enroll_codes VALUES('b5074ebb6e27573c722f00eccd772696db5ed5919452cf5af5f1d6231aa2139e','01a23cc6-dc31-7198-b04f-e97032e6e2da','staff','2026-03-02T09:00:00Z','2026-03-02T10:00:00Z','2026-03-02T09:00:00Z','device-a1');
INSERT INTO enroll_codes VALUES('b0f7e147554896af022d0236b6ad3cd21031704aa9e422b89e7da93f73755496','01a23cc6-dc31-7198-b04f-e97032e6e2da','staff','2026-03-02T09:00:00Z','2026-03-02T10:00:00Z','2026-03-02T09:00:00Z','device-a2');
INSERT INTO enroll_codes VALUES('1e07c2c8ca339af8743870b6316f046887a26a7a06dca738ab2f0f5bca9ff983','01a23cc6-dc31-7597-9e0a-efeb52324341','staff','2026-03-02T09:00:00Z','2026-03-02T10:00:00Z','2026-03-02T09:00:00Z','device-b1');
CREATE TABLE devices (
	id          TEXT PRIMARY KEY,
	org_id      TEXT NOT NULL REFERENCES orgs (id),
	role        TEXT NOT NULL,
	name        TEXT NOT NULL DEFAULT '',
	token_hash  TEXT NOT NULL UNIQUE,
	enrolled_at TEXT NOT NULL,
	revoked_at  TEXT NOT NULL DEFAULT '',
	last_seq    INTEGER NOT NULL DEFAULT 0,
	-- The clock of change last_seq, so that a device restored from an old
	-- copy can tell that its reused sequence numbers mean other changes.
	last_hlc    TEXT NOT NULL DEFAULT '',
	last_seen   TEXT NOT NULL DEFAULT ''
, copy_of TEXT NOT NULL DEFAULT '', log_from INTEGER NOT NULL DEFAULT 0, diverged_at TEXT NOT NULL DEFAULT '') STRICT;
INSERT INTO devices VALUES('device-a1','01a23cc6-dc31-7198-b04f-e97032e6e2da','staff','','743cbc21d81eb5aaea96346007fc144db2f50928809268b37a1aa540c2368703','2026-03-02T09:00:00Z','',14,'1767225600000.0000000014.device-a1','2026-03-02T09:00:00Z','',0,'');
INSERT INTO devices VALUES('device-a2','01a23cc6-dc31-7198-b04f-e97032e6e2da','staff','','12867a09f2b0b1b1e4020e26fc33e56b9cbd10f810fb4566d108ff2817a9e19f','2026-03-02T09:00:00Z','',1,'1767225600000.0000000001.device-a2','2026-03-02T09:00:00Z','',0,'');
INSERT INTO devices VALUES('device-b1','01a23cc6-dc31-7597-9e0a-efeb52324341','staff','','8ba1ee85134e28832daa444890d62e5616d1439401d8b34b2343796832fb610f','2026-03-02T09:00:00Z','',7,'1767225600000.0000000007.device-b1','2026-03-02T09:00:00Z','',0,'');
CREATE TABLE records (
	id           TEXT PRIMARY KEY,
	entity       TEXT NOT NULL,
	org_id       TEXT NOT NULL,
	visibility   TEXT NOT NULL,
	deleted      INTEGER NOT NULL DEFAULT 0,
	version      INTEGER NOT NULL,
	hlc          TEXT NOT NULL,
	-- The version before the latest run of clean changes by last_by: a
	-- device whose cursor is at or past it already holds the record.
	prev_version INTEGER NOT NULL DEFAULT 0,
	last_by      TEXT NOT NULL,
	last_clean   INTEGER NOT NULL,
	-- Set once the record was ever visible network-wide, so that other
	-- organizations learn when it is withdrawn.
	was_network  INTEGER NOT NULL DEFAULT 0,
	body         TEXT NOT NULL,
	state        TEXT NOT NULL
) STRICT;
INSERT INTO records VALUES('01a23cc6-dc31-7198-b04f-e97032e6e2da','organization','01a23cc6-dc31-7198-b04f-e97032e6e2da','network',0,1,'1772442000000.0000000000.hub',0,'hub',1,1,'{"contact":"","country":"MW","created_at":"2026-03-02T09:00:00Z","created_by":"hub","deleted":0,"description":"","name":"Org One","visibility":"network"}','{"c":[[1,"1772442000000.0000000000.hub","hub"]],"f":{"contact":0,"country":0,"created_at":0,"created_by":0,"deleted":0,"description":0,"name":0,"visibility":0}}');
INSERT INTO records VALUES('01a23cc6-dc31-7597-9e0a-efeb52324341','organization','01a23cc6-dc31-7597-9e0a-efeb52324341','network',0,2,'1772442000000.0000000000.hub',0,'hub',1,1,'{"contact":"","country":"KE","created_at":"2026-03-02T09:00:00Z","created_by":"hub","deleted":0,"description":"","name":"Org Two","visibility":"network"}','{"c":[[2,"1772442000000.0000000000.hub","hub"]],"f":{"contact":0,"country":0,"created_at":0,"created_by":0,"deleted":0,"description":0,"name":0,"visibility":0}}');
INSERT INTO records VALUES('act-a-00','activity','01a23cc6-dc31-7198-b04f-e97032e6e2da','network',0,3,'1767225600000.0000000001.device-a1',0,'device-a1',1,1,'{"adults":0,"boys_0_5":0,"boys_12_17":0,"boys_6_11":0,"country":"MW","created_at":"2026-01-01T00:00:00Z","created_by":"device-a1","deleted":0,"end_date":"","files":[],"follow_up":"","follow_up_date":"","girls_0_5":0,"girls_12_17":0,"girls_6_11":12,"kind":"training","lat":null,"lon":null,"partners":"","place":"","start_date":"2026-01-01","status":"final","summary":"","themes":["education"],"title":"Training act-a-00","unrecorded_0_5":0,"unrecorded_12_17":0,"unrecorded_6_11":0,"visibility":"network"}','{"c":[[3,"1767225600000.0000000001.device-a1","device-a1"]],"f":{"adults":0,"boys_12_17":0,"country":0,"created_at":0,"created_by":0,"girls_6_11":0,"kind":0,"start_date":0,"status":0,"themes":0,"title":0,"visibility":0}}');
INSERT INTO records VALUES('act-a-01','activity','01a23cc6-dc31-7198-b04f-e97032e6e2da','org',0,4,'1767225600000.0000000002.device-a1',0,'device-a1',1,0,'{"adults":1,"boys_0_5":0,"boys_12_17":2,"boys_6_11":0,"country":"MW","created_at":"2026-01-01T00:00:00Z","created_by":"device-a1","deleted":0,"end_date":"","files":[],"follow_up":"","follow_up_date":"","girls_0_5":0,"girls_12_17":0,"girls_6_11":12,"kind":"school_visit","lat":null,"lon":null,"partners":"","place":"","start_date":"2026-02-02","status":"final","summary":"","themes":[],"title":"Training act-a-01","unrecorded_0_5":0,"unrecorded_12_17":0,"unrecorded_6_11":0,"visibility":"org"}','{"c":[[4,"1767225600000.0000000002.device-a1","device-a1"]],"f":{"adults":0,"boys_12_17":0,"country":0,"created_at":0,"created_by":0,"girls_6_11":0,"kind":0,"start_date":0,"status":0,"themes":0,"title":0,"visibility":0}}');
INSERT INTO records VALUES('act-a-02','activity','01a23cc6-dc31-7198-b04f-e97032e6e2da','org',0,5,'1767225600000.0000000003.device-a1',0,'device-a1',1,0,'{"adults":2,"boys_0_5":0,"boys_12_17":4,"boys_6_11":0,"country":"MW","created_at":"2026-01-01T00:00:00Z","created_by":"device-a1","deleted":0,"end_date":"","files":[],"follow_up":"","follow_up_date":"","girls_0_5":0,"girls_12_17":0,"girls_6_11":12,"kind":"awareness_campaign","lat":null,"lon":null,"partners":"","place":"","start_date":"2026-03-03","status":"final","summary":"","themes":["violence","child_marriage"],"title":"Training act-a-02","unrecorded_0_5":0,"unrecorded_12_17":0,"unrecorded_6_11":0,"visibility":"org"}','{"c":[[5,"1767225600000.0000000003.device-a1","device-a1"]],"f":{"adults":0,"boys_12_17":0,"country":0,"created_at":0,"created_by":0,"girls_6_11":0,"kind":0,"start_date":0,"status":0,"themes":0,"title":0,"visibility":0}}');
INSERT INTO records VALUES('act-a-03','activity','01a23cc6-dc31-7198-b04f-e97032e6e2da','org',0,17,'1767225600000.0000000013.device-a1',15,'device-a2',0,0,'{"adults":3,"boys_0_5":0,"boys_12_17":6,"boys_6_11":0,"country":"MW","created_at":"2026-01-01T00:00:00Z","created_by":"device-a1","deleted":0,"end_date":"","files":[],"follow_up":"","follow_up_date":"","girls_0_5":0,"girls_12_17":0,"girls_6_11":40,"kind":"training","lat":null,"lon":null,"partners":"","place":"","start_date":"2026-09-09","status":"final","summary":"","themes":["education"],"title":"Edited on a1","unrecorded_0_5":0,"unrecorded_12_17":0,"unrecorded_6_11":0,"visibility":"org"}','{"c":[[6,"1767225600000.0000000004.device-a1","device-a1"],[15,"1767225600000.0000000013.device-a1","device-a1"]],"f":{"adults":0,"boys_12_17":0,"country":0,"created_at":0,"created_by":0,"girls_6_11":1,"kind":0,"start_date":1,"status":0,"themes":0,"title":1,"visibility":0}}');
INSERT INTO records VALUES('act-a-04','activity','01a23cc6-dc31-7198-b04f-e97032e6e2da','network',0,7,'1767225600000.0000000005.device-a1',0,'device-a1',1,1,'{"adults":4,"boys_0_5":0,"boys_12_17":8,"boys_6_11":0,"country":"MW","created_at":"2026-01-01T00:00:00Z","created_by":"device-a1","deleted":0,"end_date":"","files":[],"follow_up":"","follow_up_date":"","girls_0_5":0,"girls_12_17":0,"girls_6_11":12,"kind":"school_visit","lat":null,"lon":null,"partners":"","place":"","start_date":"2026-05-05","status":"final","summary":"","themes":[],"title":"Training act-a-04","unrecorded_0_5":0,"unrecorded_12_17":0,"unrecorded_6_11":0,"visibility":"network"}','{"c":[[7,"1767225600000.0000000005.device-a1","device-a1"]],"f":{"adults":0,"boys_12_17":0,"country":0,"created_at":0,"created_by":0,"girls_6_11":0,"kind":0,"start_date":0,"status":0,"themes":0,"title":0,"visibility":0}}');
INSERT INTO records VALUES('act-a-05','activity','01a23cc6-dc31-7198-b04f-e97032e6e2da','org',1,16,'1767225600000.0000000014.device-a1',0,'device-a1',1,0,'{"adults":5,"boys_0_5":0,"boys_12_17":10,"boys_6_11":0,"country":"MW","created_at":"2026-01-01T00:00:00Z","created_by":"device-a1","deleted":1,"end_date":"","files":[],"follow_up":"","follow_up_date":"","girls_0_5":0,"girls_12_17":0,"girls_6_11":12,"kind":"awareness_campaign","lat":null,"lon":null,"partners":"","place":"","start_date":"2026-01-06","status":"final","summary":"","themes":["violence","child_marriage"],"title":"Training act-a-05","unrecorded_0_5":0,"unrecorded_12_17":0,"unrecorded_6_11":0,"visibility":"org"}','{"c":[[8,"1767225600000.0000000006.device-a1","device-a1"],[16,"1767225600000.0000000014.device-a1","device-a1"]],"f":{"adults":0,"boys_12_17":0,"country":0,"created_at":0,"created_by":0,"deleted":1,"girls_6_11":0,"kind":0,"start_date":0,"status":0,"themes":0,"title":0,"visibility":0}}');
INSERT INTO records VALUES('act-a-06','activity','01a23cc6-dc31-7198-b04f-e97032e6e2da','org',0,9,'1767225600000.0000000007.device-a1',0,'device-a1',1,0,'{"adults":6,"boys_0_5":0,"boys_12_17":12,"boys_6_11":0,"country":"MW","created_at":"2026-01-01T00:00:00Z","created_by":"device-a1","deleted":0,"end_date":"","files":[],"follow_up":"","follow_up_date":"","girls_0_5":0,"girls_12_17":0,"girls_6_11":12,"kind":"training","lat":null,"lon":null,"partners":"","place":"","start_date":"2026-02-07","status":"final","summary":"","themes":["education"],"title":"Training act-a-06","unrecorded_0_5":0,"unrecorded_12_17":0,"unrecorded_6_11":0,"visibility":"org"}','{"c":[[9,"1767225600000.0000000007.device-a1","device-a1"]],"f":{"adults":0,"boys_12_17":0,"country":0,"created_at":0,"created_by":0,"girls_6_11":0,"kind":0,"start_date":0,"status":0,"themes":0,"title":0,"visibility":0}}');
INSERT INTO records VALUES('act-a-07','activity','01a23cc6-dc31-7198-b04f-e97032e6e2da','org',0,10,'1767225600000.0000000008.device-a1',0,'device-a1',1,0,'{"adults":7,"boys_0_5":0,"boys_12_17":14,"boys_6_11":0,"country":"MW","created_at":"2026-01-01T00:00:00Z","created_by":"device-a1","deleted":0,"end_date":"","files":[],"follow_up":"","follow_up_date":"","girls_0_5":0,"girls_12_17":0,"girls_6_11":12,"kind":"school_visit","lat":null,"lon":null,"partners":"","place":"","start_date":"2026-03-08","status":"final","summary":"","themes":[],"title":"Training act-a-07","unrecorded_0_5":0,"unrecorded_12_17":0,"unrecorded_6_11":0,"visibility":"org"}','{"c":[[10,"1767225600000.0000000008.device-a1","device-a1"]],"f":{"adults":0,"boys_12_17":0,"country":0,"created_at":0,"created_by":0,"girls_6_11":0,"kind":0,"start_date":0,"status":0,"themes":0,"title":0,"visibility":0}}');
INSERT INTO records VALUES('act-a-08','activity','01a23cc6-dc31-7198-b04f-e97032e6e2da','network',0,11,'1767225600000.0000000009.device-a1',0,'device-a1',1,1,'{"adults":8,"boys_0_5":0,"boys_12_17":16,"boys_6_11":0,"country":"MW","created_at":"2026-01-01T00:00:00Z","created_by":"device-a1","deleted":0,"end_date":"","files":[],"follow_up":"","follow_up_date":"","girls_0_5":0,"girls_12_17":0,"girls_6_11":12,"kind":"awareness_campaign","lat":null,"lon":null,"partners":"","place":"","start_date":"2026-04-09","status":"final","summary":"","themes":["violence","child_marriage"],"title":"Training act-a-08","unrecorded_0_5":0,"unrecorded_12_17":0,"unrecorded_6_11":0,"visibility":"network"}','{"c":[[11,"1767225600000.0000000009.device-a1","device-a1"]],"f":{"adults":0,"boys_12_17":0,"country":0,"created_at":0,"created_by":0,"girls_6_11":0,"kind":0,"start_date":0,"status":0,"themes":0,"title":0,"visibility":0}}');
INSERT INTO records VALUES('act-a-09','activity','01a23cc6-dc31-7198-b04f-e97032e6e2da','org',0,12,'1767225600000.0000000010.device-a1',0,'device-a1',1,0,'{"adults":9,"boys_0_5":0,"boys_12_17":18,"boys_6_11":0,"country":"MW","created_at":"2026-01-01T00:00:00Z","created_by":"device-a1","deleted":0,"end_date":"","files":[],"follow_up":"","follow_up_date":"","girls_0_5":0,"girls_12_17":0,"girls_6_11":12,"kind":"training","lat":null,"lon":null,"partners":"","place":"","start_date":"2026-05-10","status":"final","summary":"","themes":["education"],"title":"Training act-a-09","unrecorded_0_5":0,"unrecorded_12_17":0,"unrecorded_6_11":0,"visibility":"org"}','{"c":[[12,"1767225600000.0000000010.device-a1","device-a1"]],"f":{"adults":0,"boys_12_17":0,"country":0,"created_at":0,"created_by":0,"girls_6_11":0,"kind":0,"start_date":0,"status":0,"themes":0,"title":0,"visibility":0}}');
INSERT INTO records VALUES('act-a-10','activity','01a23cc6-dc31-7198-b04f-e97032e6e2da','org',0,13,'1767225600000.0000000011.device-a1',0,'device-a1',1,0,'{"adults":10,"boys_0_5":0,"boys_12_17":20,"boys_6_11":0,"country":"MW","created_at":"2026-01-01T00:00:00Z","created_by":"device-a1","deleted":0,"end_date":"","files":[],"follow_up":"","follow_up_date":"","girls_0_5":0,"girls_12_17":0,"girls_6_11":12,"kind":"school_visit","lat":null,"lon":null,"partners":"","place":"","start_date":"2026-01-11","status":"final","summary":"","themes":[],"title":"Training act-a-10","unrecorded_0_5":0,"unrecorded_12_17":0,"unrecorded_6_11":0,"visibility":"org"}','{"c":[[13,"1767225600000.0000000011.device-a1","device-a1"]],"f":{"adults":0,"boys_12_17":0,"country":0,"created_at":0,"created_by":0,"girls_6_11":0,"kind":0,"start_date":0,"status":0,"themes":0,"title":0,"visibility":0}}');
INSERT INTO records VALUES('act-a-11','activity','01a23cc6-dc31-7198-b04f-e97032e6e2da','org',0,14,'1767225600000.0000000012.device-a1',0,'device-a1',1,0,'{"adults":11,"boys_0_5":0,"boys_12_17":22,"boys_6_11":0,"country":"MW","created_at":"2026-01-01T00:00:00Z","created_by":"device-a1","deleted":0,"end_date":"","files":[],"follow_up":"","follow_up_date":"","girls_0_5":0,"girls_12_17":0,"girls_6_11":12,"kind":"awareness_campaign","lat":null,"lon":null,"partners":"","place":"","start_date":"2026-02-12","status":"final","summary":"","themes":["violence","child_marriage"],"title":"Training act-a-11","unrecorded_0_5":0,"unrecorded_12_17":0,"unrecorded_6_11":0,"visibility":"org"}','{"c":[[14,"1767225600000.0000000012.device-a1","device-a1"]],"f":{"adults":0,"boys_12_17":0,"country":0,"created_at":0,"created_by":0,"girls_6_11":0,"kind":0,"start_date":0,"status":0,"themes":0,"title":0,"visibility":0}}');
INSERT INTO records VALUES('act-b-00','activity','01a23cc6-dc31-7597-9e0a-efeb52324341','org',0,19,'1767225600000.0000000001.device-b1',0,'device-b1',1,0,'{"adults":3,"boys_0_5":0,"boys_12_17":6,"boys_6_11":0,"country":"MW","created_at":"2026-01-01T00:00:00Z","created_by":"device-b1","deleted":0,"end_date":"","files":[],"follow_up":"","follow_up_date":"","girls_0_5":0,"girls_12_17":0,"girls_6_11":12,"kind":"training","lat":null,"lon":null,"partners":"","place":"","start_date":"2026-04-04","status":"final","summary":"","themes":["education"],"title":"Training act-b-00","unrecorded_0_5":0,"unrecorded_12_17":0,"unrecorded_6_11":0,"visibility":"org"}','{"c":[[19,"1767225600000.0000000001.device-b1","device-b1"]],"f":{"adults":0,"boys_12_17":0,"country":0,"created_at":0,"created_by":0,"girls_6_11":0,"kind":0,"start_date":0,"status":0,"themes":0,"title":0,"visibility":0}}');
INSERT INTO records VALUES('act-b-01','activity','01a23cc6-dc31-7597-9e0a-efeb52324341','network',0,20,'1767225600000.0000000002.device-b1',0,'device-b1',1,1,'{"adults":4,"boys_0_5":0,"boys_12_17":8,"boys_6_11":0,"country":"MW","created_at":"2026-01-01T00:00:00Z","created_by":"device-b1","deleted":0,"end_date":"","files":[],"follow_up":"","follow_up_date":"","girls_0_5":0,"girls_12_17":0,"girls_6_11":12,"kind":"school_visit","lat":null,"lon":null,"partners":"","place":"","start_date":"2026-05-05","status":"final","summary":"","themes":[],"title":"Training act-b-01","unrecorded_0_5":0,"unrecorded_12_17":0,"unrecorded_6_11":0,"visibility":"network"}','{"c":[[20,"1767225600000.0000000002.device-b1","device-b1"]],"f":{"adults":0,"boys_12_17":0,"country":0,"created_at":0,"created_by":0,"girls_6_11":0,"kind":0,"start_date":0,"status":0,"themes":0,"title":0,"visibility":0}}');
INSERT INTO records VALUES('act-b-02','activity','01a23cc6-dc31-7597-9e0a-efeb52324341','org',0,21,'1767225600000.0000000003.device-b1',0,'device-b1',1,0,'{"adults":5,"boys_0_5":0,"boys_12_17":10,"boys_6_11":0,"country":"MW","created_at":"2026-01-01T00:00:00Z","created_by":"device-b1","deleted":0,"end_date":"","files":[],"follow_up":"","follow_up_date":"","girls_0_5":0,"girls_12_17":0,"girls_6_11":12,"kind":"awareness_campaign","lat":null,"lon":null,"partners":"","place":"","start_date":"2026-01-06","status":"final","summary":"","themes":["violence","child_marriage"],"title":"Training act-b-02","unrecorded_0_5":0,"unrecorded_12_17":0,"unrecorded_6_11":0,"visibility":"org"}','{"c":[[21,"1767225600000.0000000003.device-b1","device-b1"]],"f":{"adults":0,"boys_12_17":0,"country":0,"created_at":0,"created_by":0,"girls_6_11":0,"kind":0,"start_date":0,"status":0,"themes":0,"title":0,"visibility":0}}');
INSERT INTO records VALUES('act-b-03','activity','01a23cc6-dc31-7597-9e0a-efeb52324341','org',0,22,'1767225600000.0000000004.device-b1',0,'device-b1',1,0,'{"adults":6,"boys_0_5":0,"boys_12_17":12,"boys_6_11":0,"country":"MW","created_at":"2026-01-01T00:00:00Z","created_by":"device-b1","deleted":0,"end_date":"","files":[],"follow_up":"","follow_up_date":"","girls_0_5":0,"girls_12_17":0,"girls_6_11":12,"kind":"training","lat":null,"lon":null,"partners":"","place":"","start_date":"2026-02-07","status":"final","summary":"","themes":["education"],"title":"Training act-b-03","unrecorded_0_5":0,"unrecorded_12_17":0,"unrecorded_6_11":0,"visibility":"org"}','{"c":[[22,"1767225600000.0000000004.device-b1","device-b1"]],"f":{"adults":0,"boys_12_17":0,"country":0,"created_at":0,"created_by":0,"girls_6_11":0,"kind":0,"start_date":0,"status":0,"themes":0,"title":0,"visibility":0}}');
INSERT INTO records VALUES('act-b-04','activity','01a23cc6-dc31-7597-9e0a-efeb52324341','org',0,23,'1767225600000.0000000005.device-b1',0,'device-b1',1,0,'{"adults":7,"boys_0_5":0,"boys_12_17":14,"boys_6_11":0,"country":"MW","created_at":"2026-01-01T00:00:00Z","created_by":"device-b1","deleted":0,"end_date":"","files":[],"follow_up":"","follow_up_date":"","girls_0_5":0,"girls_12_17":0,"girls_6_11":12,"kind":"school_visit","lat":null,"lon":null,"partners":"","place":"","start_date":"2026-03-08","status":"final","summary":"","themes":[],"title":"Training act-b-04","unrecorded_0_5":0,"unrecorded_12_17":0,"unrecorded_6_11":0,"visibility":"org"}','{"c":[[23,"1767225600000.0000000005.device-b1","device-b1"]],"f":{"adults":0,"boys_12_17":0,"country":0,"created_at":0,"created_by":0,"girls_6_11":0,"kind":0,"start_date":0,"status":0,"themes":0,"title":0,"visibility":0}}');
INSERT INTO records VALUES('comment-b-1','comment','01a23cc6-dc31-7597-9e0a-efeb52324341','org',0,24,'1767225600000.0000000006.device-b1',0,'device-b1',1,0,'{"author":"B","body":"Well done","created_at":"2026-01-02T00:00:00Z","created_by":"device-b1","deleted":0,"file":null,"parent_entity":"activity","parent_id":"act-b-00","visibility":"org"}','{"c":[[24,"1767225600000.0000000006.device-b1","device-b1"]],"f":{"author":0,"body":0,"created_at":0,"created_by":0,"parent_entity":0,"parent_id":0,"visibility":0}}');
INSERT INTO records VALUES('resource-b-1','resource','01a23cc6-dc31-7597-9e0a-efeb52324341','network',0,25,'1767225600000.0000000007.device-b1',0,'device-b1',1,1,'{"body":"Text","countries":["KE"],"created_at":"2026-01-02T00:00:00Z","created_by":"device-b1","deleted":0,"files":[],"kind":"guide","language":"en","link":"","themes":["education"],"title":"A guide","visibility":"network"}','{"c":[[25,"1767225600000.0000000007.device-b1","device-b1"]],"f":{"body":0,"countries":0,"created_at":0,"created_by":0,"kind":0,"language":0,"themes":0,"title":0,"visibility":0}}');
CREATE TABLE conflicts (
	id          TEXT PRIMARY KEY,
	entity      TEXT NOT NULL,
	record_id   TEXT NOT NULL REFERENCES records (id),
	field       TEXT NOT NULL,
	winner      TEXT NOT NULL,
	loser       TEXT NOT NULL,
	winner_hlc  TEXT NOT NULL,
	loser_hlc   TEXT NOT NULL,
	loser_by    TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	resolved    INTEGER NOT NULL DEFAULT 0,
	resolved_by TEXT NOT NULL DEFAULT '',
	version     INTEGER NOT NULL
) STRICT;
INSERT INTO conflicts VALUES('01a23cc6-dc39-7194-b676-70abc69bc84c','activity','act-a-03','title','"Edited on a1"','"Edited on a2"','1767225600000.0000000013.device-a1','1767225600000.0000000001.device-a2','device-a2','2026-03-02T09:00:00Z',0,'',18);
CREATE TABLE rejections (
	device_id TEXT NOT NULL,
	seq       INTEGER NOT NULL,
	kind      TEXT NOT NULL,
	reason    TEXT NOT NULL,
	PRIMARY KEY (device_id, seq)
) STRICT;
CREATE TABLE activities (
	rowid        INTEGER PRIMARY KEY,
	id           TEXT NOT NULL UNIQUE,
	org_id       TEXT NOT NULL,
	visibility   TEXT NOT NULL,
	created_by   TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL,
	deleted      INTEGER NOT NULL DEFAULT 0,
	version      INTEGER NOT NULL DEFAULT 0,
	kind         TEXT NOT NULL,
	title        TEXT NOT NULL,
	start_date   TEXT NOT NULL,
	end_date     TEXT NOT NULL DEFAULT '',
	country      TEXT NOT NULL,
	place        TEXT NOT NULL DEFAULT '',
	lat          REAL,
	lon          REAL,
	themes       TEXT NOT NULL DEFAULT '[]',
	girls_0_5    INTEGER NOT NULL DEFAULT 0,
	girls_6_11   INTEGER NOT NULL DEFAULT 0,
	girls_12_17  INTEGER NOT NULL DEFAULT 0,
	boys_0_5     INTEGER NOT NULL DEFAULT 0,
	boys_6_11    INTEGER NOT NULL DEFAULT 0,
	boys_12_17   INTEGER NOT NULL DEFAULT 0,
	unrecorded_0_5   INTEGER NOT NULL DEFAULT 0,
	unrecorded_6_11  INTEGER NOT NULL DEFAULT 0,
	unrecorded_12_17 INTEGER NOT NULL DEFAULT 0,
	adults       INTEGER NOT NULL DEFAULT 0,
	partners     TEXT NOT NULL DEFAULT '',
	summary      TEXT NOT NULL DEFAULT '',
	follow_up    TEXT NOT NULL DEFAULT '',
	follow_up_date TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL
, files TEXT NOT NULL DEFAULT '[]') STRICT;
INSERT INTO activities VALUES(1,'act-a-00','01a23cc6-dc31-7198-b04f-e97032e6e2da','network','device-a1','2026-01-01T00:00:00Z','1767225600000.0000000001.device-a1',0,3,'training','Training act-a-00','2026-01-01','','MW','',NULL,NULL,'["education"]',0,12,0,0,0,0,0,0,0,0,'','','','','final','[]');
INSERT INTO activities VALUES(2,'act-a-01','01a23cc6-dc31-7198-b04f-e97032e6e2da','org','device-a1','2026-01-01T00:00:00Z','1767225600000.0000000002.device-a1',0,4,'school_visit','Training act-a-01','2026-02-02','','MW','',NULL,NULL,'[]',0,12,0,0,0,2,0,0,0,1,'','','','','final','[]');
INSERT INTO activities VALUES(3,'act-a-02','01a23cc6-dc31-7198-b04f-e97032e6e2da','org','device-a1','2026-01-01T00:00:00Z','1767225600000.0000000003.device-a1',0,5,'awareness_campaign','Training act-a-02','2026-03-03','','MW','',NULL,NULL,'["violence","child_marriage"]',0,12,0,0,0,4,0,0,0,2,'','','','','final','[]');
INSERT INTO activities VALUES(4,'act-a-03','01a23cc6-dc31-7198-b04f-e97032e6e2da','org','device-a1','2026-01-01T00:00:00Z','1767225600000.0000000013.device-a1',0,17,'training','Edited on a1','2026-09-09','','MW','',NULL,NULL,'["education"]',0,40,0,0,0,6,0,0,0,3,'','','','','final','[]');
INSERT INTO activities VALUES(5,'act-a-04','01a23cc6-dc31-7198-b04f-e97032e6e2da','network','device-a1','2026-01-01T00:00:00Z','1767225600000.0000000005.device-a1',0,7,'school_visit','Training act-a-04','2026-05-05','','MW','',NULL,NULL,'[]',0,12,0,0,0,8,0,0,0,4,'','','','','final','[]');
INSERT INTO activities VALUES(6,'act-a-05','01a23cc6-dc31-7198-b04f-e97032e6e2da','org','device-a1','2026-01-01T00:00:00Z','1767225600000.0000000014.device-a1',1,16,'awareness_campaign','Training act-a-05','2026-01-06','','MW','',NULL,NULL,'["violence","child_marriage"]',0,12,0,0,0,10,0,0,0,5,'','','','','final','[]');
INSERT INTO activities VALUES(7,'act-a-06','01a23cc6-dc31-7198-b04f-e97032e6e2da','org','device-a1','2026-01-01T00:00:00Z','1767225600000.0000000007.device-a1',0,9,'training','Training act-a-06','2026-02-07','','MW','',NULL,NULL,'["education"]',0,12,0,0,0,12,0,0,0,6,'','','','','final','[]');
INSERT INTO activities VALUES(8,'act-a-07','01a23cc6-dc31-7198-b04f-e97032e6e2da','org','device-a1','2026-01-01T00:00:00Z','1767225600000.0000000008.device-a1',0,10,'school_visit','Training act-a-07','2026-03-08','','MW','',NULL,NULL,'[]',0,12,0,0,0,14,0,0,0,7,'','','','','final','[]');
INSERT INTO activities VALUES(9,'act-a-08','01a23cc6-dc31-7198-b04f-e97032e6e2da','network','device-a1','2026-01-01T00:00:00Z','1767225600000.0000000009.device-a1',0,11,'awareness_campaign','Training act-a-08','2026-04-09','','MW','',NULL,NULL,'["violence","child_marriage"]',0,12,0,0,0,16,0,0,0,8,'','','','','final','[]');
INSERT INTO activities VALUES(10,'act-a-09','01a23cc6-dc31-7198-b04f-e97032e6e2da','org','device-a1','2026-01-01T00:00:00Z','1767225600000.0000000010.device-a1',0,12,'training','Training act-a-09','2026-05-10','','MW','',NULL,NULL,'["education"]',0,12,0,0,0,18,0,0,0,9,'','','','','final','[]');
INSERT INTO activities VALUES(11,'act-a-10','01a23cc6-dc31-7198-b04f-e97032e6e2da','org','device-a1','2026-01-01T00:00:00Z','1767225600000.0000000011.device-a1',0,13,'school_visit','Training act-a-10','2026-01-11','','MW','',NULL,NULL,'[]',0,12,0,0,0,20,0,0,0,10,'','','','','final','[]');
INSERT INTO activities VALUES(12,'act-a-11','01a23cc6-dc31-7198-b04f-e97032e6e2da','org','device-a1','2026-01-01T00:00:00Z','1767225600000.0000000012.device-a1',0,14,'awareness_campaign','Training act-a-11','2026-02-12','','MW','',NULL,NULL,'["violence","child_marriage"]',0,12,0,0,0,22,0,0,0,11,'','','','','final','[]');
INSERT INTO activities VALUES(13,'act-b-00','01a23cc6-dc31-7597-9e0a-efeb52324341','org','device-b1','2026-01-01T00:00:00Z','1767225600000.0000000001.device-b1',0,19,'training','Training act-b-00','2026-04-04','','MW','',NULL,NULL,'["education"]',0,12,0,0,0,6,0,0,0,3,'','','','','final','[]');
INSERT INTO activities VALUES(14,'act-b-01','01a23cc6-dc31-7597-9e0a-efeb52324341','network','device-b1','2026-01-01T00:00:00Z','1767225600000.0000000002.device-b1',0,20,'school_visit','Training act-b-01','2026-05-05','','MW','',NULL,NULL,'[]',0,12,0,0,0,8,0,0,0,4,'','','','','final','[]');
INSERT INTO activities VALUES(15,'act-b-02','01a23cc6-dc31-7597-9e0a-efeb52324341','org','device-b1','2026-01-01T00:00:00Z','1767225600000.0000000003.device-b1',0,21,'awareness_campaign','Training act-b-02','2026-01-06','','MW','',NULL,NULL,'["violence","child_marriage"]',0,12,0,0,0,10,0,0,0,5,'','','','','final','[]');
INSERT INTO activities VALUES(16,'act-b-03','01a23cc6-dc31-7597-9e0a-efeb52324341','org','device-b1','2026-01-01T00:00:00Z','1767225600000.0000000004.device-b1',0,22,'training','Training act-b-03','2026-02-07','','MW','',NULL,NULL,'["education"]',0,12,0,0,0,12,0,0,0,6,'','','','','final','[]');
INSERT INTO activities VALUES(17,'act-b-04','01a23cc6-dc31-7597-9e0a-efeb52324341','org','device-b1','2026-01-01T00:00:00Z','1767225600000.0000000005.device-b1',0,23,'school_visit','Training act-b-04','2026-03-08','','MW','',NULL,NULL,'[]',0,12,0,0,0,14,0,0,0,7,'','','','','final','[]');
CREATE TABLE applied (
	device_id TEXT NOT NULL,
	seq       INTEGER NOT NULL,
	hlc       TEXT NOT NULL,
	PRIMARY KEY (device_id, seq)
) STRICT, WITHOUT ROWID;
INSERT INTO applied VALUES('device-a1',1,'1767225600000.0000000001.device-a1 60595186470835e775d334b4');
INSERT INTO applied VALUES('device-a1',2,'1767225600000.0000000002.device-a1 042a6ad9f22ba1fbe72e0049');
INSERT INTO applied VALUES('device-a1',3,'1767225600000.0000000003.device-a1 c44837e61c289834804bdf0c');
INSERT INTO applied VALUES('device-a1',4,'1767225600000.0000000004.device-a1 ddc4109c220bb94d46b7e1f4');
INSERT INTO applied VALUES('device-a1',5,'1767225600000.0000000005.device-a1 35d0ea6c37a7e39dc031379b');
INSERT INTO applied VALUES('device-a1',6,'1767225600000.0000000006.device-a1 06554f9763ab389716e9e40b');
INSERT INTO applied VALUES('device-a1',7,'1767225600000.0000000007.device-a1 5737f656c24d905b5799981b');
INSERT INTO applied VALUES('device-a1',8,'1767225600000.0000000008.device-a1 4774712a629988db411e9420');
INSERT INTO applied VALUES('device-a1',9,'1767225600000.0000000009.device-a1 8113d39c17bbf05d4558cb08');
INSERT INTO applied VALUES('device-a1',10,'1767225600000.0000000010.device-a1 52126a9dcf00b7d889dc06fc');
INSERT INTO applied VALUES('device-a1',11,'1767225600000.0000000011.device-a1 da2901090434e43092e02cae');
INSERT INTO applied VALUES('device-a1',12,'1767225600000.0000000012.device-a1 c8e294cc4c7bdd5696931284');
INSERT INTO applied VALUES('device-a1',13,'1767225600000.0000000013.device-a1 ab3c62970eeba2354b40a948');
INSERT INTO applied VALUES('device-a1',14,'1767225600000.0000000014.device-a1 3a6a7c565339adba7cc4aa92');
INSERT INTO applied VALUES('device-a2',1,'1767225600000.0000000001.device-a2 30df9c87e0ad1ec87ed2cdad');
INSERT INTO applied VALUES('device-b1',1,'1767225600000.0000000001.device-b1 0f56ece928d5bc055a5b5480');
INSERT INTO applied VALUES('device-b1',2,'1767225600000.0000000002.device-b1 f2c895b82e693045bf304f8e');
INSERT INTO applied VALUES('device-b1',3,'1767225600000.0000000003.device-b1 34fda9dfb2711be90e74787e');
INSERT INTO applied VALUES('device-b1',4,'1767225600000.0000000004.device-b1 2c69f7220da8e2741194b783');
INSERT INTO applied VALUES('device-b1',5,'1767225600000.0000000005.device-b1 f49fe2a9fc45aa80ea0f9a37');
INSERT INTO applied VALUES('device-b1',6,'1767225600000.0000000006.device-b1 39c419fb02f8e9a9939ce4a4');
INSERT INTO applied VALUES('device-b1',7,'1767225600000.0000000007.device-b1 eca4156252aec07e0f29687c');
CREATE TABLE file_refs (
	record_id  TEXT NOT NULL,
	hash       TEXT NOT NULL,
	entity     TEXT NOT NULL,
	org_id     TEXT NOT NULL,
	visibility TEXT NOT NULL,
	size       INTEGER NOT NULL,
	name       TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (record_id, hash)
) STRICT, WITHOUT ROWID;
CREATE TABLE files (
	hash      TEXT PRIMARY KEY,
	size      INTEGER NOT NULL,
	type      TEXT NOT NULL,
	stored_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE users (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	role       TEXT NOT NULL CHECK (role IN ('coordinator', 'orgadmin')),
	org_id     TEXT NOT NULL DEFAULT '',
	salt       BLOB NOT NULL,
	hash       BLOB NOT NULL,
	params     TEXT NOT NULL,
	created_at TEXT NOT NULL
);
INSERT INTO users VALUES(1,'coord','coordinator','',X'd0767130c3b26ce8053facb674efb846',X'71f6605c64f7eb2383eadec68de150b51ae819d09567aab1b50d54d644894f5a','argon2id;t=2;m=19456;p=1;l=32','2026-12-03T16:39:55Z');
INSERT INTO users VALUES(2,'admin-a','orgadmin','01a23cc6-dc31-7198-b04f-e97032e6e2da',X'd527e725aff6e3836a904f78c2df5dee',X'6133fca174e71c39fd05c0b5eef66ee063782a6e0a471e11690e0abbf327c22f','argon2id;t=2;m=19456;p=1;l=32','2026-12-03T16:39:55Z');
CREATE TABLE dashboard_sessions (
	token_hash TEXT PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	expires_at INTEGER NOT NULL
);
INSERT INTO dashboard_sessions VALUES('fdce4015f09bc66c9f6e628ff339144b506d8299fc733453ac42942f1ef0f1fa',1,1772485200);
CREATE TABLE activity_rollup (
	dim TEXT NOT NULL,
	month TEXT NOT NULL,
	org_id TEXT NOT NULL,
	key TEXT NOT NULL,
	n INTEGER NOT NULL,
	girls_0_5 INTEGER NOT NULL,
	girls_6_11 INTEGER NOT NULL,
	girls_12_17 INTEGER NOT NULL,
	boys_0_5 INTEGER NOT NULL,
	boys_6_11 INTEGER NOT NULL,
	boys_12_17 INTEGER NOT NULL,
	unrecorded_0_5 INTEGER NOT NULL,
	unrecorded_6_11 INTEGER NOT NULL,
	unrecorded_12_17 INTEGER NOT NULL,
	adults INTEGER NOT NULL,
	PRIMARY KEY (dim, month, org_id, key)
) WITHOUT ROWID;
INSERT INTO activity_rollup VALUES('country','2026-01','01a23cc6-dc31-7198-b04f-e97032e6e2da','MW',2,0,24,0,0,0,20,0,0,0,10);
INSERT INTO activity_rollup VALUES('country','2026-01','01a23cc6-dc31-7597-9e0a-efeb52324341','MW',1,0,12,0,0,0,10,0,0,0,5);
INSERT INTO activity_rollup VALUES('country','2026-02','01a23cc6-dc31-7198-b04f-e97032e6e2da','MW',3,0,36,0,0,0,36,0,0,0,18);
INSERT INTO activity_rollup VALUES('country','2026-02','01a23cc6-dc31-7597-9e0a-efeb52324341','MW',1,0,12,0,0,0,12,0,0,0,6);
INSERT INTO activity_rollup VALUES('country','2026-03','01a23cc6-dc31-7198-b04f-e97032e6e2da','MW',2,0,24,0,0,0,18,0,0,0,9);
INSERT INTO activity_rollup VALUES('country','2026-03','01a23cc6-dc31-7597-9e0a-efeb52324341','MW',1,0,12,0,0,0,14,0,0,0,7);
INSERT INTO activity_rollup VALUES('country','2026-04','01a23cc6-dc31-7198-b04f-e97032e6e2da','MW',1,0,12,0,0,0,16,0,0,0,8);
INSERT INTO activity_rollup VALUES('country','2026-04','01a23cc6-dc31-7597-9e0a-efeb52324341','MW',1,0,12,0,0,0,6,0,0,0,3);
INSERT INTO activity_rollup VALUES('country','2026-05','01a23cc6-dc31-7198-b04f-e97032e6e2da','MW',2,0,24,0,0,0,26,0,0,0,13);
INSERT INTO activity_rollup VALUES('country','2026-05','01a23cc6-dc31-7597-9e0a-efeb52324341','MW',1,0,12,0,0,0,8,0,0,0,4);
INSERT INTO activity_rollup VALUES('country','2026-09','01a23cc6-dc31-7198-b04f-e97032e6e2da','MW',1,0,40,0,0,0,6,0,0,0,3);
INSERT INTO activity_rollup VALUES('kind','2026-01','01a23cc6-dc31-7198-b04f-e97032e6e2da','school_visit',1,0,12,0,0,0,20,0,0,0,10);
INSERT INTO activity_rollup VALUES('kind','2026-01','01a23cc6-dc31-7198-b04f-e97032e6e2da','training',1,0,12,0,0,0,0,0,0,0,0);
INSERT INTO activity_rollup VALUES('kind','2026-01','01a23cc6-dc31-7597-9e0a-efeb52324341','awareness_campaign',1,0,12,0,0,0,10,0,0,0,5);
INSERT INTO activity_rollup VALUES('kind','2026-02','01a23cc6-dc31-7198-b04f-e97032e6e2da','awareness_campaign',1,0,12,0,0,0,22,0,0,0,11);
INSERT INTO activity_rollup VALUES('kind','2026-02','01a23cc6-dc31-7198-b04f-e97032e6e2da','school_visit',1,0,12,0,0,0,2,0,0,0,1);
INSERT INTO activity_rollup VALUES('kind','2026-02','01a23cc6-dc31-7198-b04f-e97032e6e2da','training',1,0,12,0,0,0,12,0,0,0,6);
INSERT INTO activity_rollup VALUES('kind','2026-02','01a23cc6-dc31-7597-9e0a-efeb52324341','training',1,0,12,0,0,0,12,0,0,0,6);
INSERT INTO activity_rollup VALUES('kind','2026-03','01a23cc6-dc31-7198-b04f-e97032e6e2da','awareness_campaign',1,0,12,0,0,0,4,0,0,0,2);
INSERT INTO activity_rollup VALUES('kind','2026-03','01a23cc6-dc31-7198-b04f-e97032e6e2da','school_visit',1,0,12,0,0,0,14,0,0,0,7);
INSERT INTO activity_rollup VALUES('kind','2026-03','01a23cc6-dc31-7597-9e0a-efeb52324341','school_visit',1,0,12,0,0,0,14,0,0,0,7);
INSERT INTO activity_rollup VALUES('kind','2026-04','01a23cc6-dc31-7198-b04f-e97032e6e2da','awareness_campaign',1,0,12,0,0,0,16,0,0,0,8);
INSERT INTO activity_rollup VALUES('kind','2026-04','01a23cc6-dc31-7597-9e0a-efeb52324341','training',1,0,12,0,0,0,6,0,0,0,3);
INSERT INTO activity_rollup VALUES('kind','2026-05','01a23cc6-dc31-7198-b04f-e97032e6e2da','school_visit',1,0,12,0,0,0,8,0,0,0,4);
INSERT INTO activity_rollup VALUES('kind','2026-05','01a23cc6-dc31-7198-b04f-e97032e6e2da','training',1,0,12,0,0,0,18,0,0,0,9);
INSERT INTO activity_rollup VALUES('kind','2026-05','01a23cc6-dc31-7597-9e0a-efeb52324341','school_visit',1,0,12,0,0,0,8,0,0,0,4);
INSERT INTO activity_rollup VALUES('kind','2026-09','01a23cc6-dc31-7198-b04f-e97032e6e2da','training',1,0,40,0,0,0,6,0,0,0,3);
INSERT INTO activity_rollup VALUES('theme','2026-01','01a23cc6-dc31-7198-b04f-e97032e6e2da','education',1,0,12,0,0,0,0,0,0,0,0);
INSERT INTO activity_rollup VALUES('theme','2026-01','01a23cc6-dc31-7597-9e0a-efeb52324341','child_marriage',1,0,12,0,0,0,10,0,0,0,5);
INSERT INTO activity_rollup VALUES('theme','2026-01','01a23cc6-dc31-7597-9e0a-efeb52324341','violence',1,0,12,0,0,0,10,0,0,0,5);
INSERT INTO activity_rollup VALUES('theme','2026-02','01a23cc6-dc31-7198-b04f-e97032e6e2da','child_marriage',1,0,12,0,0,0,22,0,0,0,11);
INSERT INTO activity_rollup VALUES('theme','2026-02','01a23cc6-dc31-7198-b04f-e97032e6e2da','education',1,0,12,0,0,0,12,0,0,0,6);
INSERT INTO activity_rollup VALUES('theme','2026-02','01a23cc6-dc31-7198-b04f-e97032e6e2da','violence',1,0,12,0,0,0,22,0,0,0,11);
INSERT INTO activity_rollup VALUES('theme','2026-02','01a23cc6-dc31-7597-9e0a-efeb52324341','education',1,0,12,0,0,0,12,0,0,0,6);
INSERT INTO activity_rollup VALUES('theme','2026-03','01a23cc6-dc31-7198-b04f-e97032e6e2da','child_marriage',1,0,12,0,0,0,4,0,0,0,2);
INSERT INTO activity_rollup VALUES('theme','2026-03','01a23cc6-dc31-7198-b04f-e97032e6e2da','violence',1,0,12,0,0,0,4,0,0,0,2);
INSERT INTO activity_rollup VALUES('theme','2026-04','01a23cc6-dc31-7198-b04f-e97032e6e2da','child_marriage',1,0,12,0,0,0,16,0,0,0,8);
INSERT INTO activity_rollup VALUES('theme','2026-04','01a23cc6-dc31-7198-b04f-e97032e6e2da','violence',1,0,12,0,0,0,16,0,0,0,8);
INSERT INTO activity_rollup VALUES('theme','2026-04','01a23cc6-dc31-7597-9e0a-efeb52324341','education',1,0,12,0,0,0,6,0,0,0,3);
INSERT INTO activity_rollup VALUES('theme','2026-05','01a23cc6-dc31-7198-b04f-e97032e6e2da','education',1,0,12,0,0,0,18,0,0,0,9);
INSERT INTO activity_rollup VALUES('theme','2026-09','01a23cc6-dc31-7198-b04f-e97032e6e2da','education',1,0,40,0,0,0,6,0,0,0,3);
INSERT INTO activity_rollup VALUES('total','2026-01','01a23cc6-dc31-7198-b04f-e97032e6e2da','',2,0,24,0,0,0,20,0,0,0,10);
INSERT INTO activity_rollup VALUES('total','2026-01','01a23cc6-dc31-7597-9e0a-efeb52324341','',1,0,12,0,0,0,10,0,0,0,5);
INSERT INTO activity_rollup VALUES('total','2026-02','01a23cc6-dc31-7198-b04f-e97032e6e2da','',3,0,36,0,0,0,36,0,0,0,18);
INSERT INTO activity_rollup VALUES('total','2026-02','01a23cc6-dc31-7597-9e0a-efeb52324341','',1,0,12,0,0,0,12,0,0,0,6);
INSERT INTO activity_rollup VALUES('total','2026-03','01a23cc6-dc31-7198-b04f-e97032e6e2da','',2,0,24,0,0,0,18,0,0,0,9);
INSERT INTO activity_rollup VALUES('total','2026-03','01a23cc6-dc31-7597-9e0a-efeb52324341','',1,0,12,0,0,0,14,0,0,0,7);
INSERT INTO activity_rollup VALUES('total','2026-04','01a23cc6-dc31-7198-b04f-e97032e6e2da','',1,0,12,0,0,0,16,0,0,0,8);
INSERT INTO activity_rollup VALUES('total','2026-04','01a23cc6-dc31-7597-9e0a-efeb52324341','',1,0,12,0,0,0,6,0,0,0,3);
INSERT INTO activity_rollup VALUES('total','2026-05','01a23cc6-dc31-7198-b04f-e97032e6e2da','',2,0,24,0,0,0,26,0,0,0,13);
INSERT INTO activity_rollup VALUES('total','2026-05','01a23cc6-dc31-7597-9e0a-efeb52324341','',1,0,12,0,0,0,8,0,0,0,4);
INSERT INTO activity_rollup VALUES('total','2026-09','01a23cc6-dc31-7198-b04f-e97032e6e2da','',1,0,40,0,0,0,6,0,0,0,3);
CREATE INDEX records_by_version ON records (version);
CREATE INDEX conflicts_by_version ON conflicts (version);
CREATE INDEX records_by_entity ON records (entity, org_id);
CREATE VIEW organizations AS SELECT
	id, id AS org_id, 'network' AS visibility, name, country, '' AS description, '' AS contact,
	created_at, 0 AS deleted
	FROM orgs;
CREATE INDEX file_refs_by_hash ON file_refs (hash, org_id);
CREATE INDEX file_refs_by_org ON file_refs (org_id, hash);
CREATE INDEX dashboard_sessions_by_expiry ON dashboard_sessions (expires_at);
CREATE INDEX activities_report ON activities (deleted, start_date, org_id, visibility, status,
	kind, country, themes, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17,
	unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults);
CREATE TRIGGER activity_rollup_ai AFTER INSERT ON activities WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = 'rollup_batch') BEGIN
	INSERT INTO activity_rollup (dim, month, org_id, key, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
	SELECT 'total', substr(new.start_date, 1, 7), new.org_id, '', 1, new.girls_0_5, new.girls_6_11, new.girls_12_17, new.boys_0_5, new.boys_6_11, new.boys_12_17, new.unrecorded_0_5, new.unrecorded_6_11, new.unrecorded_12_17, new.adults WHERE new.deleted = 0
	ON CONFLICT DO UPDATE SET n = n + excluded.n, girls_0_5 = girls_0_5 + excluded.girls_0_5, girls_6_11 = girls_6_11 + excluded.girls_6_11, girls_12_17 = girls_12_17 + excluded.girls_12_17, boys_0_5 = boys_0_5 + excluded.boys_0_5, boys_6_11 = boys_6_11 + excluded.boys_6_11, boys_12_17 = boys_12_17 + excluded.boys_12_17, unrecorded_0_5 = unrecorded_0_5 + excluded.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 + excluded.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 + excluded.unrecorded_12_17, adults = adults + excluded.adults;
	INSERT INTO activity_rollup (dim, month, org_id, key, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
	SELECT 'kind', substr(new.start_date, 1, 7), new.org_id, new.kind, 1, new.girls_0_5, new.girls_6_11, new.girls_12_17, new.boys_0_5, new.boys_6_11, new.boys_12_17, new.unrecorded_0_5, new.unrecorded_6_11, new.unrecorded_12_17, new.adults WHERE new.deleted = 0
	ON CONFLICT DO UPDATE SET n = n + excluded.n, girls_0_5 = girls_0_5 + excluded.girls_0_5, girls_6_11 = girls_6_11 + excluded.girls_6_11, girls_12_17 = girls_12_17 + excluded.girls_12_17, boys_0_5 = boys_0_5 + excluded.boys_0_5, boys_6_11 = boys_6_11 + excluded.boys_6_11, boys_12_17 = boys_12_17 + excluded.boys_12_17, unrecorded_0_5 = unrecorded_0_5 + excluded.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 + excluded.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 + excluded.unrecorded_12_17, adults = adults + excluded.adults;
	INSERT INTO activity_rollup (dim, month, org_id, key, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
	SELECT 'country', substr(new.start_date, 1, 7), new.org_id, new.country, 1, new.girls_0_5, new.girls_6_11, new.girls_12_17, new.boys_0_5, new.boys_6_11, new.boys_12_17, new.unrecorded_0_5, new.unrecorded_6_11, new.unrecorded_12_17, new.adults WHERE new.deleted = 0
	ON CONFLICT DO UPDATE SET n = n + excluded.n, girls_0_5 = girls_0_5 + excluded.girls_0_5, girls_6_11 = girls_6_11 + excluded.girls_6_11, girls_12_17 = girls_12_17 + excluded.girls_12_17, boys_0_5 = boys_0_5 + excluded.boys_0_5, boys_6_11 = boys_6_11 + excluded.boys_6_11, boys_12_17 = boys_12_17 + excluded.boys_12_17, unrecorded_0_5 = unrecorded_0_5 + excluded.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 + excluded.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 + excluded.unrecorded_12_17, adults = adults + excluded.adults;
	INSERT INTO activity_rollup (dim, month, org_id, key, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
	SELECT 'theme', substr(new.start_date, 1, 7), new.org_id, t.value, 1, new.girls_0_5, new.girls_6_11, new.girls_12_17, new.boys_0_5, new.boys_6_11, new.boys_12_17, new.unrecorded_0_5, new.unrecorded_6_11, new.unrecorded_12_17, new.adults FROM json_each(new.themes) t WHERE new.deleted = 0
	ON CONFLICT DO UPDATE SET n = n + excluded.n, girls_0_5 = girls_0_5 + excluded.girls_0_5, girls_6_11 = girls_6_11 + excluded.girls_6_11, girls_12_17 = girls_12_17 + excluded.girls_12_17, boys_0_5 = boys_0_5 + excluded.boys_0_5, boys_6_11 = boys_6_11 + excluded.boys_6_11, boys_12_17 = boys_12_17 + excluded.boys_12_17, unrecorded_0_5 = unrecorded_0_5 + excluded.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 + excluded.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 + excluded.unrecorded_12_17, adults = adults + excluded.adults;
END;
CREATE TRIGGER activity_rollup_ad AFTER DELETE ON activities WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = 'rollup_batch') BEGIN
	UPDATE activity_rollup SET n = n - 1, girls_0_5 = girls_0_5 - old.girls_0_5, girls_6_11 = girls_6_11 - old.girls_6_11, girls_12_17 = girls_12_17 - old.girls_12_17, boys_0_5 = boys_0_5 - old.boys_0_5, boys_6_11 = boys_6_11 - old.boys_6_11, boys_12_17 = boys_12_17 - old.boys_12_17, unrecorded_0_5 = unrecorded_0_5 - old.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 - old.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 - old.unrecorded_12_17, adults = adults - old.adults
	WHERE old.deleted = 0 AND dim = 'total' AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id AND key = '';
	UPDATE activity_rollup SET n = n - 1, girls_0_5 = girls_0_5 - old.girls_0_5, girls_6_11 = girls_6_11 - old.girls_6_11, girls_12_17 = girls_12_17 - old.girls_12_17, boys_0_5 = boys_0_5 - old.boys_0_5, boys_6_11 = boys_6_11 - old.boys_6_11, boys_12_17 = boys_12_17 - old.boys_12_17, unrecorded_0_5 = unrecorded_0_5 - old.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 - old.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 - old.unrecorded_12_17, adults = adults - old.adults
	WHERE old.deleted = 0 AND dim = 'kind' AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id AND key = old.kind;
	UPDATE activity_rollup SET n = n - 1, girls_0_5 = girls_0_5 - old.girls_0_5, girls_6_11 = girls_6_11 - old.girls_6_11, girls_12_17 = girls_12_17 - old.girls_12_17, boys_0_5 = boys_0_5 - old.boys_0_5, boys_6_11 = boys_6_11 - old.boys_6_11, boys_12_17 = boys_12_17 - old.boys_12_17, unrecorded_0_5 = unrecorded_0_5 - old.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 - old.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 - old.unrecorded_12_17, adults = adults - old.adults
	WHERE old.deleted = 0 AND dim = 'country' AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id AND key = old.country;
	UPDATE activity_rollup SET n = n - (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), girls_0_5 = girls_0_5 - old.girls_0_5 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), girls_6_11 = girls_6_11 - old.girls_6_11 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), girls_12_17 = girls_12_17 - old.girls_12_17 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), boys_0_5 = boys_0_5 - old.boys_0_5 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), boys_6_11 = boys_6_11 - old.boys_6_11 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), boys_12_17 = boys_12_17 - old.boys_12_17 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), unrecorded_0_5 = unrecorded_0_5 - old.unrecorded_0_5 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), unrecorded_6_11 = unrecorded_6_11 - old.unrecorded_6_11 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), unrecorded_12_17 = unrecorded_12_17 - old.unrecorded_12_17 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), adults = adults - old.adults * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key)
	WHERE old.deleted = 0 AND dim = 'theme' AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id
		AND key IN (SELECT value FROM json_each(old.themes));
	DELETE FROM activity_rollup WHERE n = 0 AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id AND dim IN ('total', 'kind', 'country', 'theme');
END;
CREATE TRIGGER activity_rollup_au AFTER UPDATE OF deleted, start_date, org_id, kind, country, themes, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults ON activities WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = 'rollup_batch') BEGIN
	UPDATE activity_rollup SET n = n - 1, girls_0_5 = girls_0_5 - old.girls_0_5, girls_6_11 = girls_6_11 - old.girls_6_11, girls_12_17 = girls_12_17 - old.girls_12_17, boys_0_5 = boys_0_5 - old.boys_0_5, boys_6_11 = boys_6_11 - old.boys_6_11, boys_12_17 = boys_12_17 - old.boys_12_17, unrecorded_0_5 = unrecorded_0_5 - old.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 - old.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 - old.unrecorded_12_17, adults = adults - old.adults
	WHERE old.deleted = 0 AND dim = 'total' AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id AND key = '';
	UPDATE activity_rollup SET n = n - 1, girls_0_5 = girls_0_5 - old.girls_0_5, girls_6_11 = girls_6_11 - old.girls_6_11, girls_12_17 = girls_12_17 - old.girls_12_17, boys_0_5 = boys_0_5 - old.boys_0_5, boys_6_11 = boys_6_11 - old.boys_6_11, boys_12_17 = boys_12_17 - old.boys_12_17, unrecorded_0_5 = unrecorded_0_5 - old.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 - old.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 - old.unrecorded_12_17, adults = adults - old.adults
	WHERE old.deleted = 0 AND dim = 'kind' AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id AND key = old.kind;
	UPDATE activity_rollup SET n = n - 1, girls_0_5 = girls_0_5 - old.girls_0_5, girls_6_11 = girls_6_11 - old.girls_6_11, girls_12_17 = girls_12_17 - old.girls_12_17, boys_0_5 = boys_0_5 - old.boys_0_5, boys_6_11 = boys_6_11 - old.boys_6_11, boys_12_17 = boys_12_17 - old.boys_12_17, unrecorded_0_5 = unrecorded_0_5 - old.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 - old.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 - old.unrecorded_12_17, adults = adults - old.adults
	WHERE old.deleted = 0 AND dim = 'country' AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id AND key = old.country;
	UPDATE activity_rollup SET n = n - (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), girls_0_5 = girls_0_5 - old.girls_0_5 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), girls_6_11 = girls_6_11 - old.girls_6_11 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), girls_12_17 = girls_12_17 - old.girls_12_17 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), boys_0_5 = boys_0_5 - old.boys_0_5 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), boys_6_11 = boys_6_11 - old.boys_6_11 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), boys_12_17 = boys_12_17 - old.boys_12_17 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), unrecorded_0_5 = unrecorded_0_5 - old.unrecorded_0_5 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), unrecorded_6_11 = unrecorded_6_11 - old.unrecorded_6_11 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), unrecorded_12_17 = unrecorded_12_17 - old.unrecorded_12_17 * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key), adults = adults - old.adults * (SELECT count(*) FROM json_each(old.themes) t WHERE t.value = activity_rollup.key)
	WHERE old.deleted = 0 AND dim = 'theme' AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id
		AND key IN (SELECT value FROM json_each(old.themes));
	DELETE FROM activity_rollup WHERE n = 0 AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id AND dim IN ('total', 'kind', 'country', 'theme');
	INSERT INTO activity_rollup (dim, month, org_id, key, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
	SELECT 'total', substr(new.start_date, 1, 7), new.org_id, '', 1, new.girls_0_5, new.girls_6_11, new.girls_12_17, new.boys_0_5, new.boys_6_11, new.boys_12_17, new.unrecorded_0_5, new.unrecorded_6_11, new.unrecorded_12_17, new.adults WHERE new.deleted = 0
	ON CONFLICT DO UPDATE SET n = n + excluded.n, girls_0_5 = girls_0_5 + excluded.girls_0_5, girls_6_11 = girls_6_11 + excluded.girls_6_11, girls_12_17 = girls_12_17 + excluded.girls_12_17, boys_0_5 = boys_0_5 + excluded.boys_0_5, boys_6_11 = boys_6_11 + excluded.boys_6_11, boys_12_17 = boys_12_17 + excluded.boys_12_17, unrecorded_0_5 = unrecorded_0_5 + excluded.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 + excluded.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 + excluded.unrecorded_12_17, adults = adults + excluded.adults;
	INSERT INTO activity_rollup (dim, month, org_id, key, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
	SELECT 'kind', substr(new.start_date, 1, 7), new.org_id, new.kind, 1, new.girls_0_5, new.girls_6_11, new.girls_12_17, new.boys_0_5, new.boys_6_11, new.boys_12_17, new.unrecorded_0_5, new.unrecorded_6_11, new.unrecorded_12_17, new.adults WHERE new.deleted = 0
	ON CONFLICT DO UPDATE SET n = n + excluded.n, girls_0_5 = girls_0_5 + excluded.girls_0_5, girls_6_11 = girls_6_11 + excluded.girls_6_11, girls_12_17 = girls_12_17 + excluded.girls_12_17, boys_0_5 = boys_0_5 + excluded.boys_0_5, boys_6_11 = boys_6_11 + excluded.boys_6_11, boys_12_17 = boys_12_17 + excluded.boys_12_17, unrecorded_0_5 = unrecorded_0_5 + excluded.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 + excluded.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 + excluded.unrecorded_12_17, adults = adults + excluded.adults;
	INSERT INTO activity_rollup (dim, month, org_id, key, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
	SELECT 'country', substr(new.start_date, 1, 7), new.org_id, new.country, 1, new.girls_0_5, new.girls_6_11, new.girls_12_17, new.boys_0_5, new.boys_6_11, new.boys_12_17, new.unrecorded_0_5, new.unrecorded_6_11, new.unrecorded_12_17, new.adults WHERE new.deleted = 0
	ON CONFLICT DO UPDATE SET n = n + excluded.n, girls_0_5 = girls_0_5 + excluded.girls_0_5, girls_6_11 = girls_6_11 + excluded.girls_6_11, girls_12_17 = girls_12_17 + excluded.girls_12_17, boys_0_5 = boys_0_5 + excluded.boys_0_5, boys_6_11 = boys_6_11 + excluded.boys_6_11, boys_12_17 = boys_12_17 + excluded.boys_12_17, unrecorded_0_5 = unrecorded_0_5 + excluded.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 + excluded.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 + excluded.unrecorded_12_17, adults = adults + excluded.adults;
	INSERT INTO activity_rollup (dim, month, org_id, key, n, girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17, adults)
	SELECT 'theme', substr(new.start_date, 1, 7), new.org_id, t.value, 1, new.girls_0_5, new.girls_6_11, new.girls_12_17, new.boys_0_5, new.boys_6_11, new.boys_12_17, new.unrecorded_0_5, new.unrecorded_6_11, new.unrecorded_12_17, new.adults FROM json_each(new.themes) t WHERE new.deleted = 0
	ON CONFLICT DO UPDATE SET n = n + excluded.n, girls_0_5 = girls_0_5 + excluded.girls_0_5, girls_6_11 = girls_6_11 + excluded.girls_6_11, girls_12_17 = girls_12_17 + excluded.girls_12_17, boys_0_5 = boys_0_5 + excluded.boys_0_5, boys_6_11 = boys_6_11 + excluded.boys_6_11, boys_12_17 = boys_12_17 + excluded.boys_12_17, unrecorded_0_5 = unrecorded_0_5 + excluded.unrecorded_0_5, unrecorded_6_11 = unrecorded_6_11 + excluded.unrecorded_6_11, unrecorded_12_17 = unrecorded_12_17 + excluded.unrecorded_12_17, adults = adults + excluded.adults;
END;
COMMIT;
PRAGMA user_version = 6;
