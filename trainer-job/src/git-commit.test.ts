import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { headCommitOf } from './git-commit.js';

// headCommitOf reads the repository's files instead of spawning git; git itself is the reference.
let root: string;
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.org', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_DIR: undefined, GIT_WORK_TREE: undefined },
  }).trim();
const revParseHead = (cwd: string) => git(cwd, 'rev-parse', 'HEAD');

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'prodclass-git-commit-'));
  git(root, 'init', '--quiet', '--initial-branch=main', 'repository');
  const repository = path.join(root, 'repository');
  fs.mkdirSync(path.join(repository, 'trainer-job', 'dist'), { recursive: true });
  for (const message of ['first', 'second'])
    git(repository, 'commit', '--quiet', '--allow-empty', '-m', message);
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('headCommitOf', () => {
  test('a branch checked out, from a directory inside the checkout', () => {
    const repository = path.join(root, 'repository');
    expect(headCommitOf(path.join(repository, 'trainer-job', 'dist'))).toBe(revParseHead(repository));
  });

  test('a branch whose ref is only in packed-refs', () => {
    const repository = path.join(root, 'repository');
    git(repository, 'pack-refs', '--all');
    expect(fs.existsSync(path.join(repository, '.git', 'refs', 'heads', 'main'))).toBe(false);
    expect(headCommitOf(repository)).toBe(revParseHead(repository));
  });

  test('a detached HEAD', () => {
    const repository = path.join(root, 'repository');
    git(repository, 'checkout', '--quiet', '--detach', 'HEAD~1');
    expect(headCommitOf(repository)).toBe(revParseHead(repository));
    git(repository, 'checkout', '--quiet', 'main');
  });

  test('a linked worktree on its own branch', () => {
    const repository = path.join(root, 'repository');
    const worktree = path.join(root, 'worktree');
    git(repository, 'worktree', 'add', '--quiet', '-b', 'feature', worktree, 'HEAD~1');
    git(worktree, 'commit', '--quiet', '--allow-empty', '-m', 'on the feature branch');
    expect(headCommitOf(worktree)).toBe(revParseHead(worktree));
    expect(headCommitOf(worktree)).not.toBe(revParseHead(repository));
  });

  test('outside any repository, or GIT_DIR naming a directory that is none: undefined', () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'prodclass-no-git-'));
    try {
      expect(headCommitOf(outside)).toBeUndefined();
      process.env.GIT_DIR = outside;
      expect(headCommitOf(path.join(root, 'repository'))).toBeUndefined();
    } finally {
      delete process.env.GIT_DIR;
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});
