/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvmscope: build Gunyah's v17-style Linux driver (written for a 7.x tree)
 * out of tree against Debian's 6.1 arm64 headers.  build-gunyah.sh
 * force-includes this header (-include) into every driver file; the few
 * changes a header cannot make are in driver-6.1.patch next to it.
 *
 * What 6.1 lacks and what stands in for it here:
 *   overflows_type()            -> a check against type_max()/type_min()
 *   FIELD_PREP_CONST()          -> FIELD_PREP's arithmetic without the
 *                                  compile-time checks
 *   filemap_grab_folio()        -> __filemap_get_folio(FGP_LOCK|ACCESSED|CREAT)
 *                                  (returns NULL, not an ERR_PTR, on failure:
 *                                  the driver checks IS_ERR_OR_NULL)
 *   fd_file(fd)                 -> fd.file
 *   eventfd_signal(ctx)         -> eventfd_signal(ctx, 1)
 *   anon_inode_create_getfile() -> a file on a fresh inode of a private
 *                                  pseudo filesystem (alloc_anon_inode +
 *                                  alloc_file_pseudo), so each guest_memfd
 *                                  has its own inode and page cache, as
 *                                  the driver relies on
 *   vma_interval_tree_iter_first/next, set_direct_map_invalid/default_noflush,
 *   can_set_direct_map          -> present in the 6.1 kernel but not
 *                                  exported to modules: resolved at run time
 *                                  with kallsyms_lookup_name(), itself found
 *                                  through a kprobe (exported), once.
 * This file is ours (kvmscope); it contains no code of the driver.
 */
#ifndef KVMSCOPE_GUNYAH_COMPAT_61_H
#define KVMSCOPE_GUNYAH_COMPAT_61_H

#include <linux/version.h>
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0) || LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#error "driver-compat-6.1.h is for Linux 6.1 only"
#endif

#include <linux/bitfield.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/pseudo_fs.h>
#include <linux/set_memory.h>
#include <linux/mutex.h>

/* ------------------------------------------------------------ plain API drift */
#ifndef overflows_type
#define overflows_type(n, T)                                                  \
	(is_signed_type(typeof(n)) ?                                           \
		 ((s64)(n) < (s64)type_min(T) ||                               \
		  (is_signed_type(T) && (s64)(n) > (s64)type_max(T))) :        \
		 ((u64)(n) > (u64)type_max(T)))
#endif

#ifndef FIELD_PREP_CONST
#define FIELD_PREP_CONST(_mask, _val)                                          \
	((typeof(_mask))(((typeof(_mask))(_val) << __bf_shf(_mask)) & (_mask)))
#endif

static inline struct folio *ks_filemap_grab_folio(struct address_space *mapping,
						  pgoff_t index)
{
	return __filemap_get_folio(mapping, index,
				   FGP_LOCK | FGP_ACCESSED | FGP_CREAT,
				   mapping_gfp_mask(mapping));
}
#define filemap_grab_folio ks_filemap_grab_folio

#define fd_file(f) ((f).file)

/* 6.8 dropped the count argument; every caller of the driver signals 1. */
#define eventfd_signal(ctx) eventfd_signal(ctx, 1)

/* ------------------------------------------------------------ private inodes */
/*
 * One pseudo filesystem per module that uses it (only gunyah_rsc_mgr does),
 * mounted on first use.  The mount is never undone, so the module pins
 * itself then: it can no longer be unloaded (the testbed never unloads it).
 */
#define KS_GMEM_MAGIC 0x676d656d /* "gmem" */
static inline int ks_gmem_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, KS_GMEM_MAGIC) ? 0 : -ENOMEM;
}

static inline struct file *
ks_anon_inode_create_getfile(const char *name, const struct file_operations *fops,
			     void *priv, int flags, const struct inode *context_inode)
{
	static struct file_system_type fs_type = {
		.name = "kvmscope_gunyah_gmem",
		.init_fs_context = ks_gmem_init_fs_context,
		.kill_sb = kill_anon_super,
	};
	static struct vfsmount *mnt;
	static DEFINE_MUTEX(lock);
	struct inode *inode;
	struct file *file;

	mutex_lock(&lock);
	if (!mnt) {
		struct vfsmount *m = kern_mount(&fs_type);

		if (IS_ERR(m)) {
			mutex_unlock(&lock);
			return ERR_CAST(m);
		}
		__module_get(THIS_MODULE);
		mnt = m;
	}
	mutex_unlock(&lock);

	inode = alloc_anon_inode(mnt->mnt_sb);
	if (IS_ERR(inode))
		return ERR_CAST(inode);
	if (!fops_get(fops)) {
		iput(inode);
		return ERR_PTR(-ENOENT);
	}
	file = alloc_file_pseudo(inode, mnt, name,
				 flags & (O_ACCMODE | O_NONBLOCK), fops);
	if (IS_ERR(file)) {
		fops_put(fops);
		iput(inode);
		return file;
	}
	file->private_data = priv;
	return file;
}
#define anon_inode_create_getfile ks_anon_inode_create_getfile

/* ------------------------------------------------------------ unexported symbols */
static inline unsigned long ks_kallsyms_lookup(const char *name)
{
	static unsigned long (*lookup)(const char *);
	static DEFINE_MUTEX(lock);
	unsigned long addr;

	mutex_lock(&lock);
	if (!lookup) {
		struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };

		if (register_kprobe(&kp) == 0) {
			lookup = (void *)kp.addr;
			unregister_kprobe(&kp);
		}
	}
	mutex_unlock(&lock);
	addr = lookup ? lookup(name) : 0;
	if (!addr)
		pr_err("kvmscope compat: cannot resolve %s\n", name);
	return addr;
}

/* Resolve NAME once, then call it; WARN and return DFLT when it is missing. */
#define KS_CALL_RESOLVED(ret_t, name, proto, args, dflt)                       \
	({                                                                     \
		static ret_t(*__fn) proto;                                     \
		ret_t __r = (dflt);                                            \
		if (!READ_ONCE(__fn))                                          \
			WRITE_ONCE(__fn, (void *)ks_kallsyms_lookup(#name));   \
		if (!WARN_ON_ONCE(!READ_ONCE(__fn)))                           \
			__r = READ_ONCE(__fn) args;                            \
		__r;                                                           \
	})

static inline struct vm_area_struct *
ks_vma_interval_tree_iter_first(struct rb_root_cached *root, unsigned long start,
				unsigned long last)
{
	return KS_CALL_RESOLVED(struct vm_area_struct *, vma_interval_tree_iter_first,
				(struct rb_root_cached *, unsigned long, unsigned long),
				(root, start, last), NULL);
}
static inline struct vm_area_struct *
ks_vma_interval_tree_iter_next(struct vm_area_struct *node, unsigned long start,
			       unsigned long last)
{
	return KS_CALL_RESOLVED(struct vm_area_struct *, vma_interval_tree_iter_next,
				(struct vm_area_struct *, unsigned long, unsigned long),
				(node, start, last), NULL);
}
static inline int ks_set_direct_map_invalid_noflush(struct page *page)
{
	return KS_CALL_RESOLVED(int, set_direct_map_invalid_noflush, (struct page *),
				(page), -ENOSYS);
}
static inline int ks_set_direct_map_default_noflush(struct page *page)
{
	return KS_CALL_RESOLVED(int, set_direct_map_default_noflush, (struct page *),
				(page), -ENOSYS);
}
static inline bool ks_can_set_direct_map(void)
{
	return KS_CALL_RESOLVED(bool, can_set_direct_map, (void), (), false);
}
#undef can_set_direct_map
#define vma_interval_tree_iter_first ks_vma_interval_tree_iter_first
#define vma_interval_tree_iter_next ks_vma_interval_tree_iter_next
#define set_direct_map_invalid_noflush ks_set_direct_map_invalid_noflush
#define set_direct_map_default_noflush ks_set_direct_map_default_noflush
#define can_set_direct_map ks_can_set_direct_map

#endif
